"""How facilitation reacts to what happens to a session (registered in FacilitationConfig):
a started session's run is handed out, and every control event (status moves, live
settings) is pushed to the session's run the moment it commits."""

from facilitation import inbox, runners
from facilitation.models import FacilitationRun
from facilitation.store import CONTROL_TYPES
from sessions.models import Session, SessionEvent, Status

__all__ = ["CONTROL_TYPES", "launch_run", "push_control", "push_deleted"]


def launch_run(session: Session, previous: Status) -> None:
    """Started: hand the run out, unless a host (a command playing a script) holds it."""
    if previous != Status.READY:
        return
    run = FacilitationRun.objects.filter(session=session, host="").first()
    if run is not None:
        runners.launch(run.pk, run.owner)


def push_control(public_id: str, event: SessionEvent) -> None:
    control = {"seq": event.seq, "type": event.type, "at_ms": event.at_ms, "data": event.data}
    # With the moment it was logged, so the run can tell how long the push took (it logs it).
    message = {"type": inbox.CONTROL, "control": control, "logged_at": event.created_at.timestamp()}
    inbox.send_to_run_sync(public_id, message)


def push_deleted(public_id: str) -> None:
    inbox.send_to_run_sync(public_id, {"type": inbox.CONTROL, "deleted": True})
