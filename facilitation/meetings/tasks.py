"""Celery tasks of the meeting bot: the periodic status check while bots are on their way
into calls, and sending bots away (retried: leaving twice is harmless)."""

from celery import shared_task

from facilitation.adapters.meetingbaas import MeetingBaasError
from facilitation.meetings import bots
from facilitation.models import MeetingBot

LEAVE_RETRIES = 5


@shared_task(ignore_result=True)
def poll_meeting_bots() -> int:
    return bots.poll()


@shared_task(
    ignore_result=True,
    autoretry_for=(MeetingBaasError,),
    retry_backoff=True,
    max_retries=LEAVE_RETRIES,
)
def send_bots_away(session_pk: int, reason: str) -> None:
    for bot_pk in bots.present_bots(session_pk):
        bots.send_away(bot_pk, reason)


@shared_task(
    ignore_result=True,
    autoretry_for=(MeetingBaasError,),
    retry_backoff=True,
    max_retries=LEAVE_RETRIES,
)
def send_orphans_away(public_id: str) -> None:
    """The session was deleted: its bot leaves the call, and nothing of it is kept."""
    for bot_pk in bots.orphans(public_id):
        bots.send_away(bot_pk, "The session was deleted.")
        MeetingBot.objects.filter(pk=bot_pk).delete()
