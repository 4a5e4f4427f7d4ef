"""What feeds a facilitation run: timed speech from a source, on the session's clock.

Sources are described by JSON (stored on the FacilitationRun) so that a run restarted on
another worker rebuilds the same source. Browser audio and meeting bots plug in here later;
their speech arrives as the same TurnStarted / TurnEnded inputs the simulation uses.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Protocol

from facilitation.simulation import Script, ScriptInput, TurnEnded, TurnStarted, timeline

SIMULATIONS_DIR = Path(__file__).resolve().parent / "simulations"
# A simulated conversation ends this long after its last word.
SIMULATION_TAIL_MS = 1000


class Source(Protocol):
    kind: str
    speed: float  # session milliseconds per wall-clock millisecond; 0 = as fast as possible

    def due(self, now_ms: int) -> list[ScriptInput]: ...

    def finished(self, now_ms: int) -> bool: ...

    def skip_until(self, now_ms: int) -> None: ...


class IdleSource:
    """No speech input yet: the run keeps time and obeys the controls."""

    kind = "browser"
    speed = 1.0

    def due(self, now_ms: int) -> list[ScriptInput]:
        return []

    def finished(self, now_ms: int) -> bool:
        return False

    def skip_until(self, now_ms: int) -> None:
        return None


class ScriptSource:
    """A scripted conversation, played at `speed` times real time."""

    kind = "simulation"

    def __init__(self, script: Script, speed: float) -> None:
        self.speed = speed
        self._items = deque(timeline(script))
        self._last_ms = self._items[-1].at_ms if self._items else 0

    def due(self, now_ms: int) -> list[ScriptInput]:
        ready = []
        while self._items and self._items[0].at_ms <= now_ms:
            ready.append(self._items.popleft())
        return ready

    def finished(self, now_ms: int) -> bool:
        return not self._items and now_ms >= self._last_ms + SIMULATION_TAIL_MS

    def skip_until(self, now_ms: int) -> None:
        """After a restart: drop what was already heard; a turn under way resumes now."""
        kept = [item for item in self._items if item.at_ms > now_ms]
        first: dict[str, ScriptInput] = {}
        for item in kept:
            first.setdefault(item.speaker, item)
        resumed = [
            TurnStarted(now_ms, speaker)
            for speaker, item in first.items()
            if isinstance(item, TurnEnded)
        ]
        self._items = deque(resumed + kept)


def idle_source() -> dict:
    return {"kind": "idle"}


def simulation_source(script: Script, *, speed: float) -> dict:
    return {"kind": "simulation", "speed": speed, "script": script.to_mapping()}


def build_source(spec: dict) -> Source:
    if spec.get("kind") == "simulation":
        return ScriptSource(Script.from_mapping(spec["script"], source="run"), float(spec["speed"]))
    return IdleSource()
