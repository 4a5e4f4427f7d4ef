"""What is said does not stay forever: transcripts and recaps are deleted RETENTION_DAYS after
their session ended, or earlier, at any time, by either person. Deleted means gone from the
database; what remains is the session, its event log, the ratings, and a note of who deleted
the recap and when."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from facilitation import services as facilitation
from sessions.events import record_event
from sessions.models import Participant, Session
from summaries.live import announce_on_commit
from summaries.making import RECAP_DELETED
from summaries.models import Summary


def delete_recap(session: Session, by: Participant) -> None:
    with transaction.atomic():
        Summary.objects.filter(session=session).delete()
        facilitation.delete_transcript(session)
        record_event(session.pk, RECAP_DELETED, {"participantId": by.public_id})
        announce_on_commit(session.pk, session.public_id)


def purge_expired(now: datetime | None = None) -> int:
    """Deletes every transcript and recap past the retention period; returns how many rows."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)
    with transaction.atomic():
        recaps, _ = Summary.objects.filter(session__ended_at__lt=cutoff).delete()
        return recaps + facilitation.purge_transcripts(cutoff)
