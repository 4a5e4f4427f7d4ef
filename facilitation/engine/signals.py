"""What finished utterances told us: tension, disclosures, repair attempts, staying on goal."""

from dataclasses import dataclass

from .thresholds import Thresholds


@dataclass(frozen=True)
class Signals:
    """The reading of one finished utterance (from OpenAI or the offline classifier)."""

    tension: float = 0.0
    emotional_disclosure: bool = False
    repair_attempt: bool = False
    # None: the utterance says nothing either way (too short, or no goal to compare with).
    on_goal: bool | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.tension <= 1.0:
            raise ValueError(f"tension must be between 0 and 1, not {self.tension!r}")


@dataclass
class _OffGoalRun:
    first_at: int
    last_at: int
    utterances: int = 1


class SignalLog:
    """Signals by the time their utterance ended, reduced to what the rules ask of them."""

    def __init__(self, thresholds: Thresholds) -> None:
        self._thresholds = thresholds
        self._tense: list[tuple[int, float]] = []
        self._disclosure_until: int | None = None
        self._repair_until: int | None = None
        self._off_goal: _OffGoalRun | None = None

    def record(self, signals: Signals, at_ms: int) -> None:
        t = self._thresholds
        if signals.tension >= t.escalation_tension:
            self._tense.append((at_ms, signals.tension))
        if signals.emotional_disclosure:
            self._disclosure_until = _later(self._disclosure_until, at_ms + t.disclosure_block_ms)
        if signals.repair_attempt:
            self._repair_until = _later(self._repair_until, at_ms + t.repair_block_ms)
        if signals.on_goal is True:
            self._off_goal = None
        elif signals.on_goal is False:
            if self._off_goal is None:
                self._off_goal = _OffGoalRun(first_at=at_ms, last_at=at_ms)
            else:
                self._off_goal.last_at = max(self._off_goal.last_at, at_ms)
                self._off_goal.utterances += 1

    def escalation_tension(self, now_ms: int) -> float | None:
        """The peak tension while enough tense utterances fall in the escalation window."""
        window_start = now_ms - self._thresholds.escalation_window_ms
        self._tense = [(at, tension) for at, tension in self._tense if at >= window_start]
        recent = [tension for at, tension in self._tense if at <= now_ms]
        if len(recent) < self._thresholds.escalation_utterances:
            return None
        return max(recent)

    def goal_drift_since(self) -> int | None:
        """When the current off-goal run began, once it is long and full enough to count."""
        run, t = self._off_goal, self._thresholds
        if run is None or run.utterances < t.goal_drift_utterances:
            return None
        return run.first_at if run.last_at - run.first_at >= t.goal_drift_hold_ms else None

    def blocks(self, now_ms: int, *, disclosures: bool) -> bool:
        """True just after an emotional disclosure (if heeded) or a repair attempt."""
        blockers = [self._repair_until, self._disclosure_until if disclosures else None]
        return any(until is not None and now_ms < until for until in blockers)

    def forget_runs(self) -> None:
        """Pausing restarts what builds up over time; blockers stay, to be safe."""
        self._tense = []
        self._off_goal = None


def _later(current: int | None, candidate: int) -> int:
    return candidate if current is None else max(current, candidate)
