"""Session clocks in milliseconds: the engine never reads the wall clock itself."""

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class ManualClock:
    """A clock that only moves when told to: tests and simulations step it."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now_ms = start_ms

    def now_ms(self) -> int:
        return self._now_ms

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError(f"a clock cannot go backwards (advance by {ms} ms)")
        self._now_ms += ms

    def set(self, ms: int) -> None:
        if ms < self._now_ms:
            raise ValueError(f"a clock cannot go backwards (from {self._now_ms} ms to {ms} ms)")
        self._now_ms = ms


class MonotonicClock:
    """Milliseconds since construction, plus `offset_ms` so a restarted run continues the
    session's clock where the previous run left it."""

    def __init__(self, offset_ms: int = 0) -> None:
        self._offset_ms = offset_ms
        self._origin_ns = time.monotonic_ns()

    def now_ms(self) -> int:
        return self._offset_ms + (time.monotonic_ns() - self._origin_ns) // 1_000_000
