"""A session driven the way the runtime drives the engine: a tick every 500 ms on a manual
clock, inputs at their own times in between. Times are in milliseconds."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from facilitation.engine import (
    Event,
    FacilitationEngine,
    ManualClock,
    ParticipantInfo,
    Signals,
    Thresholds,
    Toggles,
)

SECOND = 1_000
MINUTE = 60_000
MAYA = "p-maya"
DAVID = "p-david"
PARTICIPANTS = (ParticipantInfo(MAYA, "Maya"), ParticipantInfo(DAVID, "David"))
GOAL = "Agree on a monthly budget"
CALM = Signals()


@dataclass
class Tick:
    at_ms: int
    paused: bool
    events: list[Event]


@dataclass
class Session:
    duration_ms: int = 30 * MINUTE
    thresholds: Thresholds = field(default_factory=Thresholds)
    toggles: Toggles = field(default_factory=Toggles)
    templates: dict[str, str] | None = None
    goal: str = GOAL
    start_ms: int = 0

    def __post_init__(self) -> None:
        self.clock = ManualClock(self.start_ms)
        self.engine = FacilitationEngine(
            participants=PARTICIPANTS,
            duration_ms=self.duration_ms,
            clock=self.clock,
            goal=self.goal,
            templates=self.templates,
            thresholds=self.thresholds,
            toggles=self.toggles,
        )
        self.events: list[Event] = []
        self.ticks: list[Tick] = []
        self.paused = False
        self._next_tick = self.start_ms

    def run_until(self, at_ms: int) -> None:
        """Ticks every tick_ms up to and including `at_ms`."""
        self._tick_while(lambda tick_at: tick_at <= at_ms)
        self.clock.set(max(at_ms, self.clock.now_ms()))

    def at(self, at_ms: int) -> None:
        """Moves to `at_ms` just before its tick: what happens next happens at that time,
        as with the runtime, where inputs reach the engine before the next tick."""
        self._tick_while(lambda tick_at: tick_at < at_ms)
        self.clock.set(at_ms)

    def _tick_while(self, due: Callable[[int], bool]) -> None:
        while due(self._next_tick):
            self.clock.set(self._next_tick)
            events = self.engine.tick()
            self.ticks.append(Tick(self._next_tick, self.paused, events))
            self.events += events
            self._next_tick += self.thresholds.tick_ms

    def say(self, participant_id: str, start_ms: int, end_ms: int, signals: Signals = CALM) -> None:
        self.at(start_ms)
        self.engine.speech_started(participant_id)
        self.at(end_ms)
        self.engine.speech_stopped(participant_id)
        self.engine.observe(participant_id, signals)

    def converse(self, start_ms: int, end_ms: int, turn_ms: int = 10 * SECOND) -> None:
        """An even back-and-forth of calm turns, Maya first, that ends at `end_ms`."""
        speakers = (MAYA, DAVID)
        for number, turn_start in enumerate(range(start_ms, end_ms, turn_ms)):
            self.say(speakers[number % 2], turn_start, min(turn_start + turn_ms, end_ms))

    def pause(self) -> list[Event]:
        self.paused = True
        events = self.engine.pause()
        self.events += events
        return events

    def resume(self) -> list[Event]:
        self.paused = False
        events = self.engine.resume()
        self.events += events
        return events

    def update_toggles(self, **changes: bool) -> list[Event]:
        self.toggles = replace(self.toggles, **changes)
        events = self.engine.update_toggles(self.toggles)
        self.events += events
        return events

    def of_type(self, event_type: str) -> list[Event]:
        return [event for event in self.events if event.type == event_type]

    def interventions(self) -> list[tuple[str, float, str, str | None]]:
        """(type, at seconds, modality, target) of every intervention so far."""
        return [
            (e.data["type"], e.at_ms / SECOND, e.data["modality"], e.data["targetParticipant"])
            for e in self.of_type("intervention")
        ]

    def ai_statuses(self) -> list[tuple[float, str]]:
        return [(e.at_ms / SECOND, e.data["status"]) for e in self.of_type("ai_status")]
