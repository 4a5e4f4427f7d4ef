"""How the talk was shared over the session, from the timings of what each person said.

Pure functions: utterances in, plain JSON-ready data out (stored on the Summary as `talk`).
Overlapping speech counts for both people, as in the live balance bar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from facilitation.engine import DEFAULT_THRESHOLDS
from facilitation.engine.talk import balance_status, talk_shares

# The chart has at most this many bars; a bucket is the shortest of these that fits.
MAX_BUCKETS = 30
BUCKET_SIZES_MS = (15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000)


@dataclass(frozen=True)
class Utterance:
    speaker: str
    start_ms: int
    end_ms: int


def bucket_size(duration_ms: int) -> int:
    for size in BUCKET_SIZES_MS:
        if duration_ms <= size * MAX_BUCKETS:
            return size
    return -(-duration_ms // MAX_BUCKETS)


def shares_and_status(first_ms: int, second_ms: int) -> tuple[list[int], str]:
    shares = talk_shares(first_ms, second_ms)
    status = balance_status(
        shares, DEFAULT_THRESHOLDS.balanced_max_percent, DEFAULT_THRESHOLDS.mild_max_percent
    )
    return list(shares), status


def talk_over_time(
    utterances: Iterable[Utterance], people: tuple[str, str], duration_ms: int
) -> dict[str, object]:
    """Speaking milliseconds per person overall and per bucket of the session's clock."""
    utterances = [u for u in utterances if u.speaker in people and u.end_ms > u.start_ms]
    duration_ms = max([duration_ms, *(u.end_ms for u in utterances)], default=duration_ms)
    size = bucket_size(max(duration_ms, 1))
    count = max(1, -(-duration_ms // size))
    buckets = [[0, 0] for _ in range(count)]
    totals = [0, 0]
    for utterance in utterances:
        side = people.index(utterance.speaker)
        totals[side] += utterance.end_ms - utterance.start_ms
        first = utterance.start_ms // size
        last = min((utterance.end_ms - 1) // size, count - 1)
        for index in range(first, last + 1):
            start, end = index * size, (index + 1) * size
            overlap = min(end, utterance.end_ms) - max(start, utterance.start_ms)
            buckets[index][side] += max(0, overlap)
    shares, status = shares_and_status(*totals)
    return {
        "durationMs": duration_ms,
        "people": list(people),
        "speakingMs": totals,
        "shares": shares if any(totals) else [],
        "status": status if any(totals) else "",
        "bucketMs": size,
        "buckets": buckets,
    }


def clock(ms: int) -> str:
    """m:ss on the session's clock (h:mm:ss past an hour)."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
