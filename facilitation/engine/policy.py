"""What the engine decides with: held clocks, candidate prompts, the interventions given."""

from dataclasses import dataclass, field

# Intervention types (spec §6.2).
BALANCE = "balance"
SILENCE = "silence"
GOAL_DRIFT = "goal_drift"
TIME_WARNING = "time_warning"
ESCALATION = "escalation"
ICEBREAKER = "icebreaker"

VISUAL = "visual"
VOICE = "voice"


@dataclass
class HeldClock:
    """How long one participant has kept a condition true; restarts whenever it stops."""

    holder: str | None = None
    since_ms: int | None = None

    def update(self, holder: str | None, now_ms: int) -> None:
        if holder is None:
            self.reset()
        elif holder != self.holder or self.since_ms is None:
            self.holder, self.since_ms = holder, now_ms

    def held_for(self, hold_ms: int, now_ms: int) -> bool:
        return self.since_ms is not None and now_ms - self.since_ms >= hold_ms

    def restart(self, now_ms: int) -> None:
        if self.holder is not None:
            self.since_ms = now_ms

    def reset(self) -> None:
        self.holder, self.since_ms = None, None


@dataclass(frozen=True)
class Candidate:
    """A prompt whose condition holds now; it fires if the gates let it through."""

    type: str
    modality: str
    target: str | None
    template: str
    values: dict[str, str]
    # The held clock behind a balance prompt: firing restarts it.
    held: HeldClock | None = field(default=None, compare=False)


class InterventionLog:
    """The interventions given so far, as far as gaps, cooldowns and episodes need them."""

    def __init__(self) -> None:
        self.count = 0
        self.last_at: int | None = None
        self.last_by_type: dict[str, int] = {}

    def record(self, intervention_type: str, at_ms: int) -> None:
        self.last_at = at_ms if self.last_at is None else max(self.last_at, at_ms)
        previous = self.last_by_type.get(intervention_type, at_ms)
        self.last_by_type[intervention_type] = max(previous, at_ms)

    def given_since(self, types: tuple[str, ...], since_ms: int) -> bool:
        return any(self.last_by_type.get(kind, since_ms - 1) >= since_ms for kind in types)
