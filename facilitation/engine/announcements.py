"""What the clients have been told already, so the engine only ever says what changed."""

from typing import Any

from .events import AI_STATUS, BALANCE_UPDATE, ESCALATION, GOAL_DRIFT, TIME_REMAINING, Event

MINUTE_MS = 60_000


class Announcements:
    def __init__(self, *, duration_ms: int, balance_interval_ms: int) -> None:
        self._duration_ms = duration_ms
        self._balance_interval_ms = balance_interval_ms
        self._minute: int | None = None
        self._time_over = False
        self._balance: tuple[int, int, str] | None = None
        self._balance_at = 0
        self._ai_status: str | None = None
        # When the current escalation / goal drift episode was announced, if one is under way.
        self.escalation_since: int | None = None
        self.drift_since: int | None = None

    def time_remaining(self, now: int) -> list[Event]:
        """At the first tick, at every whole minute, and a last 0:00 when time is up."""
        if self._time_over:
            return []
        minute = now // MINUTE_MS
        over = now >= self._duration_ms
        if not over and self._minute is not None and minute <= self._minute:
            return []
        self._minute = minute
        # To the nearest second, so a tick a few ms after the minute still reads 19:00.
        seconds = 0 if over else (self._duration_ms - now + 500) // 1000
        self._time_over = seconds == 0
        return [Event(TIME_REMAINING, now, {"minutes": seconds // 60, "seconds": seconds % 60})]

    def balance(self, now: int, data: dict[str, Any]) -> list[Event]:
        """The first one, then only changes, and no more often than the balance interval."""
        key = _balance_key(data)
        if self._balance is not None and (
            key == self._balance or now - self._balance_at < self._balance_interval_ms
        ):
            return []
        self._balance, self._balance_at = key, now
        return [Event(BALANCE_UPDATE, now, data)]

    def ai_status(self, now: int, status: str) -> list[Event]:
        if status == self._ai_status:
            return []
        self._ai_status = status
        return [Event(AI_STATUS, now, {"status": status})]

    def escalation(self, now: int, tension: float | None) -> list[Event]:
        """`tension` is the peak tension while escalation holds, None when it does not."""
        if tension is not None and self.escalation_since is None:
            self.escalation_since = now
            return [Event(ESCALATION, now, {"detected": True, "tension": tension})]
        if tension is None and self.escalation_since is not None:
            self.escalation_since = None
            return [Event(ESCALATION, now, {"detected": False})]
        return []

    def goal_drift(self, now: int, drifting_since: int | None) -> list[Event]:
        """`drifting_since` is when the off-goal run began, None while there is no drift."""
        if drifting_since is not None and self.drift_since is None:
            self.drift_since = now
            seconds = (now - drifting_since) // 1000
            return [Event(GOAL_DRIFT, now, {"detected": True, "duration_seconds": seconds})]
        if drifting_since is None and self.drift_since is not None:
            self.drift_since = None
            return [Event(GOAL_DRIFT, now, {"detected": False, "duration_seconds": 0})]
        return []


def _balance_key(data: dict[str, Any]) -> tuple[int, int, str]:
    return (data["participantA"]["percentage"], data["participantB"]["percentage"], data["status"])
