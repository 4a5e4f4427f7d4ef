"""Whether each person has the session open: counted sockets that must also keep pinging."""

from datetime import timedelta

from django.db import transaction
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


def set_presence(participant_pk: int, *, connected: bool) -> None:
    """Count one events socket opening or closing; tell the session when presence flips."""
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant_pk)
        session = Session.objects.select_for_update().get(pk=participant.session_id)
        was_present = is_present(participant)
        delta = 1 if connected else -1
        participant.connection_count = max(0, participant.connection_count + delta)
        participant.last_seen_at = timezone.now()
        participant.save(update_fields=["connection_count", "last_seen_at"])
        now_present = is_present(participant)
        if was_present != now_present:
            status = "joined" if now_present else "disconnected"
            append_event(
                session,
                PARTICIPANT_STATUS,
                {"participantId": participant.public_id, "status": status},
            )


def touch_presence(participant_pk: int) -> None:
    Participant.objects.filter(pk=participant_pk).update(last_seen_at=timezone.now())
