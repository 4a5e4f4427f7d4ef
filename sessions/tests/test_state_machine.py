import asyncio
import json

import pytest

from sessions.errors import ErrorCode, SessionError
from sessions.models import Session, SessionEvent, Status
from sessions.state import Action, allowed_actions, transition

pytestmark = pytest.mark.django_db

# The lifecycle, written out by hand (DESIGN.md "Statuses"), not read from the table under
# test: (action, from) -> to. Every other pair is refused with the action's code below.
EXPECTED_MOVES = {
    (Action.OPEN_INVITATION, Status.DRAFT): Status.PENDING_CONSENT,
    (Action.CONSENT, Status.DRAFT): Status.READY,
    (Action.CONSENT, Status.PENDING_CONSENT): Status.READY,
    (Action.DECLINE, Status.DRAFT): Status.ARCHIVED,
    (Action.DECLINE, Status.PENDING_CONSENT): Status.ARCHIVED,
    (Action.START, Status.READY): Status.IN_PROGRESS,
    (Action.PAUSE, Status.IN_PROGRESS): Status.PAUSED,
    (Action.RESUME, Status.PAUSED): Status.IN_PROGRESS,
    (Action.END, Status.IN_PROGRESS): Status.ENDED,
    (Action.END, Status.PAUSED): Status.ENDED,
    (Action.ARCHIVE, Status.DRAFT): Status.ARCHIVED,
    (Action.ARCHIVE, Status.PENDING_CONSENT): Status.ARCHIVED,
    (Action.ARCHIVE, Status.READY): Status.ARCHIVED,
    (Action.ARCHIVE, Status.ENDED): Status.ARCHIVED,
}
EXPECTED_REFUSALS = {
    Action.OPEN_INVITATION: ErrorCode.SESSION_NOT_AWAITING_CONSENT,
    Action.CONSENT: ErrorCode.SESSION_NOT_AWAITING_CONSENT,
    Action.DECLINE: ErrorCode.SESSION_NOT_AWAITING_CONSENT,
    Action.START: ErrorCode.SESSION_NOT_READY,
    Action.PAUSE: ErrorCode.SESSION_NOT_IN_PROGRESS,
    Action.RESUME: ErrorCode.SESSION_NOT_PAUSED,
    Action.END: ErrorCode.SESSION_NOT_IN_PROGRESS,
    Action.ARCHIVE: ErrorCode.SESSION_CANNOT_BE_ARCHIVED,
}
LEGAL = list(EXPECTED_MOVES)
ILLEGAL = [(a, s) for a in Action for s in Status if (a, s) not in EXPECTED_MOVES]


def _session_in(make_session, status: Status) -> Session:
    session, _ = make_session()
    Session.objects.filter(pk=session.pk).update(status=status)
    session.refresh_from_db()
    return session


@pytest.mark.parametrize(("action", "source"), LEGAL, ids=lambda v: str(v))
def test_every_legal_transition_moves_and_writes_one_event(make_session, action, source):
    session = _session_in(make_session, source)
    before = session.last_event_seq
    updated = transition(session, action, reason="testing")
    target = EXPECTED_MOVES[(action, source)]
    assert updated.status == target
    session.refresh_from_db()
    assert session.status == target
    events = list(SessionEvent.objects.filter(session=session, seq__gt=before))
    assert len(events) == 1
    assert events[0].seq == before + 1 == session.last_event_seq
    assert events[0].type == "session_state"
    assert events[0].data == {
        "status": str(target),
        "previousStatus": str(source),
        "reason": "testing",
    }


@pytest.mark.parametrize(("action", "source"), ILLEGAL, ids=lambda v: str(v))
def test_every_illegal_transition_is_refused_and_changes_nothing(make_session, action, source):
    session = _session_in(make_session, source)
    before = session.last_event_seq
    with pytest.raises(SessionError) as refused:
        transition(session, action)
    assert refused.value.code == EXPECTED_REFUSALS[action]
    session.refresh_from_db()
    assert session.status == source
    assert session.last_event_seq == before
    assert not SessionEvent.objects.filter(session=session, seq__gt=before).exists()


@pytest.mark.django_db(transaction=True)
def test_what_reacts_to_a_status_runs_once_the_move_commits(make_session):
    from django.db import transaction

    from sessions import state

    session, _ = make_session(consented=True)
    seen: list[tuple[str, str]] = []

    def hook(moved: Session, previous: Status) -> None:
        seen.append((str(previous), moved.status))

    state.on_enter(Status.PAUSED, hook)
    try:
        transition(session, Action.START)
        with transaction.atomic():
            transition(session, Action.PAUSE)
            assert seen == []  # not before the commit
        assert seen == [("in_progress", "paused")]
        transition(session, Action.RESUME)
        with pytest.raises(RuntimeError), transaction.atomic():
            transition(session, Action.PAUSE)
            raise RuntimeError("rolled back")
        assert seen == [("in_progress", "paused")]  # a move rolled back never happened
    finally:
        state._on_enter[Status.PAUSED].remove(hook)


def test_seq_keeps_increasing_across_moves(make_session):
    session, _ = make_session(consented=True)
    for action in (Action.START, Action.PAUSE, Action.RESUME, Action.END, Action.ARCHIVE):
        transition(session, action)
    seqs = list(session.events.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_timestamps_follow_the_moves(make_session):
    session, _ = make_session(consented=True)
    session = transition(session, Action.START)
    assert session.started_at is not None and session.paused_at is None
    session = transition(session, Action.PAUSE)
    assert session.paused_at is not None
    session = transition(session, Action.RESUME)
    assert session.paused_at is None
    session = transition(session, Action.END)
    assert session.ended_at is not None


def test_a_guard_can_refuse_before_anything_changes(make_session):
    session, _ = make_session(consented=True)

    def refuse(locked: Session) -> None:
        raise SessionError(ErrorCode.INVALID_MEETING_URL)

    with pytest.raises(SessionError):
        transition(session, Action.START, guard=refuse)
    session.refresh_from_db()
    assert session.status == Status.READY


def test_allowed_actions_reads_the_table():
    assert allowed_actions(Status.READY) == {Action.START, Action.ARCHIVE}
    assert allowed_actions(Status.ARCHIVED) == set()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_event_is_broadcast_after_commit(make_session):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from sessions.events import group_name

    session, _ = await sync_to_async(make_session)(consented=True)
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group_name(session.public_id), channel)
    await sync_to_async(transition)(session, Action.START)
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message["type"] == "session.event"
    assert message["event"]["type"] == "session_state"
    assert message["event"]["data"]["status"] == "in_progress"
    last = await session.events.order_by("-seq").afirst()
    assert message["event"]["seq"] == last.seq
    assert json.loads(message["text"]) == message["event"]


def test_only_a_live_session_places_its_events_on_its_clock(make_session):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from sessions.events import record_event

    session, _ = make_session(consented=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        session = transition(session, Action.START)
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        paused = record_event(session.pk, "ai_status", {"status": "paused"})
        transition(session, Action.END)
    ended = session.events.get(type="session_state", data__status="ended")
    assert (paused.at_ms, ended.at_ms) == (120_000, 120_000)
    # A page opened a year later: no session time (it would not even fit the column).
    with time_machine.travel(start + dt.timedelta(days=365), tick=False):
        later = record_event(session.pk, "participant_status", {"status": "joined"})
    assert later.at_ms is None
