"""The session event log: append in the caller's transaction, broadcast after commit."""

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial

from channels.layers import get_channel_layer
from django.db import connection, transaction

from diadi import outbox
from diadi.bulk import update_rows
from sessions.models import LIVE_STATUSES, Session, SessionEvent

logger = logging.getLogger(__name__)

# Event types: the spec's (§6.2), plus settings changes, prompt acknowledgements and the AI
# status of the live room's indicator.
SESSION_STATE = "session_state"
PARTICIPANT_STATUS = "participant_status"
BALANCE_UPDATE = "balance_update"
AI_STATUS = "ai_status"
INTERVENTION = "intervention"
SETTINGS_CHANGED = "settings_changed"
INTERVENTION_ACK = "intervention_ack"
# Beyond the spec: "a few more minutes" after the planned time ran out, and a Zoom / Meet /
# Teams session moved to the browser room because this server cannot join meetings.
TIME_EXTENDED = "time_extended"
PLATFORM_CHANGED = "platform_changed"
# One of the two people corrected who is who among a meeting's speakers.
SPEAKERS_SWAPPED = "speakers_swapped"


# What happens once an event of a type has committed: hook(public id, event). Apps register
# theirs in AppConfig.ready(), so the log never imports what reacts to it.
LoggedHook = Callable[[str, SessionEvent], None]
_on_logged: defaultdict[str, list[LoggedHook]] = defaultdict(list)


def on_logged(types: Iterable[str], hook: LoggedHook) -> None:
    for type_ in types:
        if hook not in _on_logged[type_]:
            _on_logged[type_].append(hook)


def group_name(public_id: str) -> str:
    """The channel-layer group every browser and run of this session listens on."""
    return f"session.{public_id}"


def append_event(
    session: Session, type: str, data: dict, *, at_ms: int | None = None
) -> SessionEvent:
    """Write the next event of a session the caller has locked inside a transaction; it is
    placed on the session's clock (now, unless `at_ms` says when) once the session started."""
    return append_events(session, [(type, data, at_ms)])[0]


def append_events(
    session: Session, items: Iterable[tuple[str, dict, int | None]]
) -> list[SessionEvent]:
    """Write the next events of a session the caller has locked inside a transaction, in
    order: (type, data, at_ms or None for now)."""
    return append_events_of_many([(session, list(items))])[0]


def append_events_of_many(
    logs: list[tuple[Session, list[tuple[str, dict, int | None]]]],
) -> list[list[SessionEvent]]:
    """`append_events` for several sessions the caller has locked, in two statements
    whatever their number: that is what lets one process carry the writes of hundreds of
    live sessions. Everything written is broadcast in one go once the transaction commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("append_events must run inside transaction.atomic()")
    written: list[list[SessionEvent]] = []
    for session, items in logs:
        now_ms = _live_clock_ms(session)
        written.append(
            [
                SessionEvent(
                    session=session,
                    seq=session.last_event_seq + n,
                    type=type,
                    data=data,
                    at_ms=now_ms if at_ms is None else at_ms,
                )
                for n, (type, data, at_ms) in enumerate(items, start=1)
            ]
        )
    moved = []
    for (session, _), events in zip(logs, written, strict=True):
        if events:
            session.last_event_seq = events[-1].seq
            moved.append(session)
    if not moved:
        return written
    update_rows(Session, ["last_event_seq"], [(s.pk, s.last_event_seq) for s in moved])
    every = [event for events in written for event in events]
    SessionEvent.objects.bulk_create(every)
    messages = [(event.session.public_id, event.as_message()) for event in every]
    transaction.on_commit(partial(broadcast_all, messages))
    for event in every:
        for hook in _on_logged[event.type]:

            def react(hook: LoggedHook = hook, event: SessionEvent = event) -> None:
                hook(event.session.public_id, event)

            # robust: what reacts to an event may fail; the event and the caller's work stand.
            transaction.on_commit(react, robust=True)
    return written


def _live_clock_ms(session: Session) -> int | None:
    # Only while the session is live: after it ended (a recap edited, a page opened months
    # later) an event has no place on the session's clock.
    return session.clock_ms() if session.status in LIVE_STATUSES else None


def record_event(
    session_pk: int, type: str, data: dict, *, at_ms: int | None = None
) -> SessionEvent:
    """Append one event in its own transaction."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_pk)
        return append_event(session, type, data, at_ms=at_ms)


def broadcast(public_id: str, message: dict) -> None:
    broadcast_all([(public_id, message)])


def broadcast_all(messages: list[tuple[str, dict]]) -> None:
    """Best effort: a client that misses a broadcast catches up from the log by seq. Sessions
    side by side, each session's events in their order (one out of order would make its
    sockets fill a gap from the log), queued to the serving loop (diadi/outbox.py)."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    by_session: defaultdict[str, list[dict]] = defaultdict(list)
    for public_id, message in messages:
        by_session[public_id].append(message)

    async def send_in_order(public_id: str, session_messages: list[dict]) -> None:
        for message in session_messages:
            try:
                await layer.group_send(
                    group_name(public_id),
                    # Serialised once here, not once per open socket.
                    {"type": "session.event", "event": message, "text": json.dumps(message)},
                )
            except Exception:
                logger.exception(
                    "Could not broadcast event %s of session %s", message["seq"], public_id
                )

    try:
        outbox.send_all(
            [
                (group_name(public_id), partial(send_in_order, public_id, session_messages))
                for public_id, session_messages in by_session.items()
            ]
        )
    except Exception:
        logger.exception("Could not broadcast %d events", len(messages))


def events_after(session: Session, seq: int, limit: int = 1000) -> list[SessionEvent]:
    return list(session.events.filter(seq__gt=seq).order_by("seq")[:limit])
