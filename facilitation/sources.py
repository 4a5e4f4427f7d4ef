"""What feeds a facilitation run: timed speech on the session's clock.

Sources are described by JSON (stored on the FacilitationRun) so that a run taken over by
another worker rebuilds the same source and skips what the old run had already consumed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from facilitation.engine.inputs import SpeechStarted, SpeechStopped
from facilitation.simulation import SPEAKERS, Script, timeline

SIMULATIONS_DIR = Path(__file__).resolve().parent / "simulations"
# A simulated conversation ends this long after its last word.
SIMULATION_TAIL_MS = 1000
MEETING = "meeting"

Speech = SpeechStarted | SpeechStopped


class Source(Protocol):
    kind: str  # what its speech is kept as (TranscriptSegment.Source)
    speed: float  # session milliseconds per wall-clock millisecond; 0 = as fast as possible
    position: int  # how many of its items were consumed
    # The run listens to the people's microphones (the browser room's audio sockets).
    listens: bool

    def skip(self, position: int) -> None: ...

    def due(self, now_ms: int) -> list[Speech]: ...

    @property
    def end_ms(self) -> int | None:
        """When the conversation it plays is over; None for one that lasts until ended."""
        ...


class BrowserRoom:
    """The browser room: speech comes from each person's microphone, through the session's
    audio sockets; the run listens to it (facilitation/audio/)."""

    kind = "browser"
    speed = 1.0
    position = 0
    listens = True

    def skip(self, position: int) -> None:
        return None

    def due(self, now_ms: int) -> list[Speech]:
        return []

    end_ms = None


class MeetingCall:
    """A Zoom, Meet or Teams call: its bot says who speaks when (speaker state), pushed to
    the run as speech (facilitation/meetings/consumers.py); no microphone to listen to."""

    kind = "meeting_bot"
    speed = 1.0
    position = 0
    listens = False

    def skip(self, position: int) -> None:
        return None

    def due(self, now_ms: int) -> list[Speech]:
        return []

    end_ms = None


class ScriptSource:
    """A scripted conversation, played at `speed` times real time, spoken by the session's
    two participants (the script's a is the creator, b the invitee)."""

    kind = "simulation"
    listens = False

    def __init__(self, script: Script, speed: float, participant_ids: tuple[str, str]) -> None:
        self.speed = speed
        self._items = timeline(script, dict(zip(SPEAKERS, participant_ids, strict=True)))
        self.end_ms = (self._items[-1].at_ms if self._items else 0) + SIMULATION_TAIL_MS
        self.position = 0

    def skip(self, position: int) -> None:
        """A taken-over run: what the old run consumed was fed already."""
        self.position = position

    def due(self, now_ms: int) -> list[Speech]:
        start = self.position
        while self.position < len(self._items) and self._items[self.position].at_ms <= now_ms:
            self.position += 1
        return self._items[start : self.position]


def browser_source() -> dict:
    return {"kind": "browser"}


def meeting_source() -> dict:
    return {"kind": MEETING}


def simulation_source(script: Script, *, speed: float) -> dict:
    return {"kind": "simulation", "speed": speed, "script": script.to_mapping()}


def source_speed(spec: dict) -> float:
    return float(spec.get("speed", 1.0))


def build_source(spec: dict, participant_ids: tuple[str, str]) -> Source:
    if spec.get("kind") == "simulation":
        script = Script.from_mapping(spec["script"], source="run")
        return ScriptSource(script, source_speed(spec), participant_ids)
    if spec.get("kind") == MEETING:
        return MeetingCall()
    return BrowserRoom()
