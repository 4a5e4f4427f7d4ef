"""Plays timestamped inputs into the engine in time order, with a tick at every multiple of
Thresholds.tick_ms: the engine's state is then a function of its inputs alone.

That is what makes facilitation reproducible. A script gives the same events at any speed
(the ticks fall on the same session times however late the machine runs them), and a run
taken over after its worker died rebuilds the engine exactly by playing the inputs the old
run fed, at the times it fed them, up to the last tick it persisted (DESIGN.md: nothing said
twice, nothing due lost).
"""

import heapq
import itertools
from collections.abc import Iterable, Mapping

from .clock import ManualClock
from .engine import FacilitationEngine, ParticipantInfo
from .events import Event, in_order
from .inputs import (
    Input,
    MicrophoneChanged,
    Observed,
    Paused,
    Resumed,
    SpeakersSwapped,
    SpeechStarted,
    SpeechStopped,
    TogglesChanged,
)
from .switches import Toggles
from .thresholds import Thresholds

# An input and the session time it was fed to the engine at.
Fed = tuple[int, Input]


def _rank(item: Input) -> int:
    # At the same moment a speaker who hands over is silent before the other begins.
    return 1 if isinstance(item, SpeechStarted) else 0


class Conductor:
    def __init__(self, engine: FacilitationEngine, clock: ManualClock, *, tick_ms: int) -> None:
        self.engine = engine
        self._clock = clock
        self._tick_ms = tick_ms
        # (due, rank, order, input, already kept by the run that fed it first)
        self._pending: list[tuple[int, int, int, Input, bool]] = []
        self._order = itertools.count()
        self._fed: list[Fed] = []
        self.next_tick_ms = 0

    @classmethod
    def for_session(
        cls,
        *,
        participants: tuple[ParticipantInfo, ParticipantInfo],
        duration_ms: int,
        goal: str,
        templates: Mapping[str, str] | None,
        thresholds: Thresholds,
        toggles: Toggles,
    ) -> "Conductor":
        """A fresh engine for one session, on a clock only the conductor moves."""
        clock = ManualClock()
        engine = FacilitationEngine(
            participants=participants,
            duration_ms=duration_ms,
            clock=clock,
            goal=goal,
            templates=templates,
            thresholds=thresholds,
            toggles=toggles,
        )
        return cls(engine, clock, tick_ms=thresholds.tick_ms)

    @property
    def now_ms(self) -> int:
        return self._clock.now_ms()

    @property
    def played_ms(self) -> int:
        """The session time of the last tick played; -1 before the first."""
        return self.next_tick_ms - self._tick_ms

    def add(self, items: Iterable[Input]) -> None:
        """Inputs wait for their time; one older than what was already played is fed as soon
        as possible, at the engine's present, as late input from a live source must be."""
        for item in items:
            due = max(item.at_ms, self._clock.now_ms())
            heapq.heappush(self._pending, (due, _rank(item), next(self._order), item, False))

    def replay(self, fed: Iterable[Fed], until_ms: int) -> None:
        """Rebuild the engine from the inputs another run fed (in the order it fed them) and
        play up to `until_ms`, the last tick it persisted; what that says was said already."""
        for due, item in fed:
            heapq.heappush(self._pending, (due, 0, next(self._order), item, True))
        self.play_until(until_ms)

    def play_until(self, target_ms: int) -> list[Event]:
        """Plays every input and tick up to `target_ms` (inputs first at equal times). Who
        started or stopped speaking after the last tick is told at once, not a tick later."""
        events: list[Event] = []
        while self.next_tick_ms <= target_ms:
            events += self._feed_until(self.next_tick_ms)
            self._clock.set(self.next_tick_ms)
            events += self.engine.tick()
            self.next_tick_ms += self._tick_ms
        events += self._feed_until(target_ms)
        events += self.engine.announcements()
        return in_order(events)

    def take_fed(self) -> list[Fed]:
        """The inputs fed since the last call, with their times: what a run must keep."""
        fed, self._fed = self._fed, []
        return fed

    def _feed_until(self, at_ms: int) -> list[Event]:
        events: list[Event] = []
        while self._pending and self._pending[0][0] <= at_ms:
            due, _, _, item, kept = heapq.heappop(self._pending)
            self._clock.set(max(self._clock.now_ms(), due))
            if not kept:
                self._fed.append((self._clock.now_ms(), item))
            events += self._feed(item)
        return events

    def _feed(self, item: Input) -> list[Event]:
        engine = self.engine
        if isinstance(item, SpeechStarted):
            engine.speech_started(item.participant_id, item.at_ms)
        elif isinstance(item, SpeechStopped):
            engine.speech_stopped(item.participant_id, item.at_ms)
        elif isinstance(item, Observed):
            engine.observe(item.participant_id, item.signals, item.at_ms)
        elif isinstance(item, MicrophoneChanged):
            engine.microphone(item.participant_id, item.status, item.at_ms)
        elif isinstance(item, Paused):
            return engine.pause()
        elif isinstance(item, Resumed):
            return engine.resume()
        elif isinstance(item, TogglesChanged):
            return engine.update_toggles(item.toggles)
        elif isinstance(item, SpeakersSwapped):
            return engine.swap_speakers()
        return []
