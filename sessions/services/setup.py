"""Changing how a session is set up before it starts."""

from django.db import transaction

from sessions.errors import ErrorCode, SessionError
from sessions.events import PLATFORM_CHANGED, append_event
from sessions.models import WAITING_STATUSES, Participant, Platform, Session, SessionEvent, Status

NOT_STARTED = (*WAITING_STATUSES, Status.READY)


def switch_to_browser_room(session: Session, by: Participant) -> Session:
    """Move a Zoom / Meet / Teams session to Diadi's browser room, and tell both people."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status not in NOT_STARTED:
            raise SessionError(
                ErrorCode.SESSION_NOT_READY,
                "Only a session that has not started yet can move to the browser room.",
            )
        if locked.platform == Platform.DIADI:
            return locked
        previous = locked.platform
        locked.platform, locked.meeting_url = Platform.DIADI, ""
        locked.save(update_fields=["platform", "meeting_url", "updated_at"])
        append_event(
            locked,
            PLATFORM_CHANGED,
            {
                "platform": Platform.DIADI,
                "previousPlatform": previous,
                "participantId": by.public_id,
            },
        )
    return locked


def latest_platform_change(session: Session) -> SessionEvent | None:
    return session.events.filter(type=PLATFORM_CHANGED).order_by("-seq").first()
