"""What the rest of Diadi may ask of recaps; views and other apps call these, never the models.

- making: queue a session's recap (the ENDED hook), try a failed one again, sweep lost ones;
- presenting: a recap as one of its people sees it, and where it stands;
- sharing: add, edit and confirm agreements and action items, rate the session;
- retention: delete a recap and transcript, purge them after RETENTION_DAYS.
"""

from sessions.models import Session
from summaries.making import queue_summary, retry, sweep
from summaries.models import Summary
from summaries.presenting import Recap, recap_for, state_of
from summaries.retention import delete_recap, purge_expired
from summaries.sharing import ACTIONS, AGREEMENTS, KINDS, add, confirm, edit, rate


def summary_of(session: Session) -> Summary | None:
    return Summary.objects.filter(session=session).first()


def recap_state(session: Session) -> str:
    """pending, running, ready, failed, not_ended, deleted or expired."""
    return state_of(session, summary_of(session))


__all__ = [
    "ACTIONS",
    "AGREEMENTS",
    "KINDS",
    "Recap",
    "add",
    "confirm",
    "delete_recap",
    "edit",
    "purge_expired",
    "queue_summary",
    "rate",
    "recap_for",
    "recap_state",
    "retry",
    "summary_of",
    "sweep",
]
