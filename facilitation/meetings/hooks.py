"""What a meeting's bot does when its session's status moves (registered in
FacilitationConfig): paused or ended, the voice stops at once; ended or deleted, the bot is
told to leave (off the request: MeetingBaas may be slow)."""

from diadi.background import enqueue
from facilitation import voice
from facilitation.meetings.tasks import send_bots_away, send_orphans_away
from sessions.models import Platform, Session, Status


def silence(session: Session, previous: Status) -> None:
    if session.platform != Platform.DIADI:
        voice.mute(session.public_id)


def leave(session: Session, previous: Status) -> None:
    if session.platform != Platform.DIADI:
        voice.mute(session.public_id)
        enqueue(send_bots_away, session.pk, "The session ended.")


def leave_deleted(public_id: str) -> None:
    enqueue(send_orphans_away, public_id)
