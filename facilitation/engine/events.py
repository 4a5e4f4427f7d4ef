"""What the engine emits: one Event per websocket message (spec §6.2)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TIME_REMAINING = "time_remaining"
PARTICIPANT_STATUS = "participant_status"
BALANCE_UPDATE = "balance_update"
ESCALATION = "escalation"
GOAL_DRIFT = "goal_drift"
INTERVENTION = "intervention"
AI_STATUS = "ai_status"

# Events of one call that share a time come in this order: an intervention follows the
# measurements that caused it, and the AI status it causes follows the intervention.
EVENT_TYPES = (
    TIME_REMAINING,
    PARTICIPANT_STATUS,
    BALANCE_UPDATE,
    ESCALATION,
    GOAL_DRIFT,
    INTERVENTION,
    AI_STATUS,
)
_RANK = {event_type: rank for rank, event_type in enumerate(EVENT_TYPES)}


@dataclass(frozen=True)
class Event:
    """`data` is JSON-serialisable and exactly what the events websocket sends."""

    type: str
    at_ms: int
    data: dict[str, Any]


def in_order(events: Iterable[Event]) -> list[Event]:
    """By time, then by the fixed type order; ties keep the order they were made in."""
    return sorted(events, key=lambda event: (event.at_ms, _RANK[event.type]))
