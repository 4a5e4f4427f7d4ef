"""The only place a session's status changes: an explicit table, one event per move, and the
side effects of reaching a status (run launched, run stopped, recap queued) in one place."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.db import transaction
from django.utils import timezone

from sessions.errors import ErrorCode, SessionError
from sessions.events import SESSION_STATE, append_event
from sessions.models import LIVE_STATUSES, Participant, Session, Status


class Action(StrEnum):
    OPEN_INVITATION = "open_invitation"
    CONSENT = "consent"
    DECLINE = "decline"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"
    ARCHIVE = "archive"


@dataclass(frozen=True)
class Move:
    sources: frozenset[Status]
    target: Status
    refusal: ErrorCode  # what the caller hears when the session is in any other status


TRANSITIONS: dict[Action, Move] = {
    Action.OPEN_INVITATION: Move(
        frozenset({Status.DRAFT}), Status.PENDING_CONSENT, ErrorCode.SESSION_NOT_AWAITING_CONSENT
    ),
    Action.CONSENT: Move(
        frozenset({Status.DRAFT, Status.PENDING_CONSENT}),
        Status.READY,
        ErrorCode.SESSION_NOT_AWAITING_CONSENT,
    ),
    Action.DECLINE: Move(
        frozenset({Status.DRAFT, Status.PENDING_CONSENT}),
        Status.ARCHIVED,
        ErrorCode.SESSION_NOT_AWAITING_CONSENT,
    ),
    Action.START: Move(frozenset({Status.READY}), Status.IN_PROGRESS, ErrorCode.SESSION_NOT_READY),
    Action.PAUSE: Move(
        frozenset({Status.IN_PROGRESS}), Status.PAUSED, ErrorCode.SESSION_NOT_IN_PROGRESS
    ),
    Action.RESUME: Move(
        frozenset({Status.PAUSED}), Status.IN_PROGRESS, ErrorCode.SESSION_NOT_PAUSED
    ),
    Action.END: Move(
        frozenset({Status.IN_PROGRESS, Status.PAUSED}),
        Status.ENDED,
        ErrorCode.SESSION_NOT_IN_PROGRESS,
    ),
    Action.ARCHIVE: Move(
        frozenset({Status.DRAFT, Status.PENDING_CONSENT, Status.READY, Status.ENDED}),
        Status.ARCHIVED,
        ErrorCode.SESSION_CANNOT_BE_ARCHIVED,
    ),
}


# What happens after a move into a status has committed: hook(session, previous status).
# Apps register theirs in AppConfig.ready(), so sessions never imports what reacts to it.
StatusHook = Callable[[Session, Status], None]
_on_enter: defaultdict[Status, list[StatusHook]] = defaultdict(list)
# What happens after a session is deleted: hook(public id).
DeleteHook = Callable[[str], None]
_on_delete: list[DeleteHook] = []


def on_enter(status: Status, hook: StatusHook) -> None:
    if hook not in _on_enter[status]:
        _on_enter[status].append(hook)


def on_delete(hook: DeleteHook) -> None:
    if hook not in _on_delete:
        _on_delete.append(hook)


def deleted(public_id: str) -> None:
    """Called inside the deleting transaction: the hooks run once it commits."""
    for hook in _on_delete:
        transaction.on_commit(partial(hook, public_id))


def allowed_actions(status: str) -> set[Action]:
    return {action for action, move in TRANSITIONS.items() if status in move.sources}


def _stamp(session: Session, target: Status) -> list[str]:
    now = timezone.now()
    if target == Status.IN_PROGRESS and session.started_at is None:
        session.started_at = now
        return ["started_at"]
    if target == Status.IN_PROGRESS:
        session.paused_at = None
        return ["paused_at"]
    if target == Status.PAUSED:
        session.paused_at = now
        return ["paused_at"]
    if target == Status.ENDED:
        session.ended_at = now
        session.paused_at = None
        return ["ended_at", "paused_at"]
    return []


def transition(
    session: Session,
    action: Action,
    *,
    by: Participant | None = None,
    reason: str = "",
    guard: Callable[[Session], None] | None = None,
    at_ms: int | None = None,
) -> Session:
    """Move `session` by `action`, or raise SessionError with the table's refusal code.

    The row is re-read under a lock so two people pressing buttons at once cannot both win;
    `guard` runs on the locked row and may refuse (raise SessionError) before anything changes;
    `at_ms` places the move on the session's own clock when a facilitation run makes it.
    Returns the updated session; the event is broadcast once the transaction commits.
    """
    move = TRANSITIONS[action]
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status not in move.sources:
            raise SessionError(move.refusal)
        if guard is not None:
            guard(locked)
        previous = locked.status
        if at_ms is None and previous in LIVE_STATUSES:
            at_ms = locked.clock_ms()  # a live session's moves are placed on its clock
        locked.status = move.target
        locked.save(update_fields=["status", "updated_at", *_stamp(locked, move.target)])
        data: dict = {"status": str(move.target), "previousStatus": previous}
        if reason:
            data["reason"] = reason
        if by is not None:
            data["participantId"] = by.public_id
        append_event(locked, SESSION_STATE, data, at_ms=at_ms)
        for hook in _on_enter[move.target]:
            transaction.on_commit(partial(hook, locked, Status(previous)))
    return locked
