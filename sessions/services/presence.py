"""Whether each person has the session open: counted sockets that must also keep pinging.

The count alone cannot be trusted: a server killed outright (or a socket that died without its
disconnect) never subtracts its sockets. So presence also needs a recent heartbeat
(`last_seen_at`, moved by every open and ping), a count nobody has confirmed within
PRESENCE_TIMEOUT starts again from zero, and expire_presence() (a periodic job) tells the
session about those who went quiet.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sessions.events import PARTICIPANT_STATUS, append_event
from sessions.models import Participant, Session

PRESENCE_TIMEOUT = timedelta(seconds=90)


def is_present(participant: Participant) -> bool:
    return (
        participant.connection_count > 0
        and participant.last_seen_at is not None
        and participant.last_seen_at > timezone.now() - PRESENCE_TIMEOUT
    )


def _update(participant_pk: int, change: int, *, seen: bool) -> None:
    """Apply `change` to the count (a count that went stale counts as zero), record the
    heartbeat when `seen`, and tell the session when the count reaches or leaves zero (what
    the log last said: "joined" while it is above zero)."""
    session_pk = (
        Participant.objects.filter(pk=participant_pk).values_list("session_id", flat=True).first()
    )
    if session_pk is None:
        return  # deleted with its session meanwhile
    with transaction.atomic():
        # The session row first, as every writer of its log locks it.
        session = Session.objects.select_for_update().filter(pk=session_pk).first()
        participant = Participant.objects.select_for_update().filter(pk=participant_pk).first()
        if session is None or participant is None:
            return
        was_joined = participant.connection_count > 0
        count = participant.connection_count if is_present(participant) else 0
        participant.connection_count = max(0, count + change)
        if seen:
            participant.last_seen_at = timezone.now()
        participant.save(update_fields=["connection_count", "last_seen_at"])
        now_joined = participant.connection_count > 0
        if was_joined != now_joined:
            append_event(
                session,
                PARTICIPANT_STATUS,
                {
                    "participantId": participant.public_id,
                    "status": "joined" if now_joined else "disconnected",
                },
            )


def set_presence(participant_pk: int, *, connected: bool) -> None:
    """Count one events socket opening or closing."""
    _update(participant_pk, 1 if connected else -1, seen=True)


def touch_presence(participant_pk: int) -> None:
    """A heartbeat from an open socket; it also brings back someone whose count expired."""
    updated = Participant.objects.filter(
        pk=participant_pk,
        connection_count__gt=0,
        last_seen_at__gt=timezone.now() - PRESENCE_TIMEOUT,
    ).update(last_seen_at=timezone.now())
    if not updated:
        # Rare: the count expired while this socket stayed open. It is one, at least.
        _update(participant_pk, 1, seen=True)


def expire_presence() -> int:
    """Mark as gone everyone whose sockets stopped beating; returns how many."""
    cutoff = timezone.now() - PRESENCE_TIMEOUT
    stale = Participant.objects.filter(connection_count__gt=0).filter(
        Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True)
    )
    expired = list(stale.values_list("pk", flat=True))
    for participant_pk in expired:
        _update(participant_pk, 0, seen=False)
    return len(expired)
