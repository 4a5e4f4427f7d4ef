"""Rate limits for what one websocket may send, by message kind (a token bucket each).

A consumer keeps one MessageLimiter per socket and asks it about every message it receives,
before doing any work for it:

    limiter = MessageLimiter({"update_settings": Rate(2, burst=5), "audio": Rate(60, burst=120)})
    verdict = limiter.check("audio")
    # ALLOW: handle it. WARN: drop it and tell the sender (once per run of refusals).
    # DROP: drop it quietly (the sender was told). CLOSE: close with CLOSE_FLOODING.

Kinds the limiter was not given share the `default` rate. Refusals drain a bucket of their
own (`patience`): a client that keeps sending past its limits, rather than slowing down when
told, is disconnected.

connection_allowed() limits how often one person may open sockets, across every process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from django.core.cache import cache

# "Policy violation" (RFC 6455): a clean close the client can tell from a server failure.
CLOSE_FLOODING = 1008
CONNECTIONS_PER_MINUTE = 30


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"
    CLOSE = "close"


class TokenBucket:
    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self.tokens = float(rate.burst)
        self.updated = now

    def take(self, now: float, cost: float = 1) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.rate.burst, self.tokens + elapsed * self.rate.per_second)
        self.updated = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class MessageLimiter:
    """One socket's limits. Not shared between sockets, not thread-safe (one consumer, one
    event loop)."""

    def __init__(
        self,
        rates: Mapping[str, Rate],
        *,
        default: Rate = Rate(1, burst=5),
        patience: Rate = Rate(1, burst=30),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rates = dict(rates)
        self._default = default
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._patience = TokenBucket(patience, clock())
        self._warned: set[str] = set()

    def check(self, kind: str) -> Verdict:
        now = self._clock()
        key = kind if kind in self._rates else ""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self._rates.get(key, self._default), now)
        if bucket.take(now):
            self._warned.discard(key)
            return Verdict.ALLOW
        if not self._patience.take(now):
            return Verdict.CLOSE
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN


def connection_allowed(who: str, *, per_minute: int = CONNECTIONS_PER_MINUTE) -> bool:
    """Whether `who` may open one more socket this minute. Counted in the shared cache (Redis
    in production), so all processes see the same count."""
    key = f"rl:sockets:{who}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        opened = cache.incr(key)
    except ValueError:  # expired between the two calls: a new minute
        cache.add(key, 1, timeout=120)
        opened = 1
    return opened <= per_minute
