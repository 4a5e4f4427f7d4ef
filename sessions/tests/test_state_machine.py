import asyncio
import json

import pytest

from sessions.errors import ErrorCode, SessionError
from sessions.models import Session, SessionEvent, Status
from sessions.state import TRANSITIONS, Action, allowed_actions, transition

pytestmark = pytest.mark.django_db

LEGAL = [(action, source) for action, move in TRANSITIONS.items() for source in move.sources]
ILLEGAL = [
    (action, source)
    for action, move in TRANSITIONS.items()
    for source in Status
    if source not in move.sources
]


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
    assert updated.status == TRANSITIONS[action].target
    session.refresh_from_db()
    assert session.status == TRANSITIONS[action].target
    events = list(SessionEvent.objects.filter(session=session, seq__gt=before))
    assert len(events) == 1
    assert events[0].seq == before + 1 == session.last_event_seq
    assert events[0].type == "session_state"
    assert events[0].data == {
        "status": str(TRANSITIONS[action].target),
        "previousStatus": str(source),
        "reason": "testing",
    }


@pytest.mark.parametrize(("action", "source"), ILLEGAL, ids=lambda v: str(v))
def test_every_illegal_transition_is_refused_and_changes_nothing(make_session, action, source):
    session = _session_in(make_session, source)
    before = session.last_event_seq
    with pytest.raises(SessionError) as refused:
        transition(session, action)
    assert refused.value.code == TRANSITIONS[action].refusal
    session.refresh_from_db()
    assert session.status == source
    assert session.last_event_seq == before
    assert not SessionEvent.objects.filter(session=session, seq__gt=before).exists()


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (Action.START, ErrorCode.SESSION_NOT_READY),
        (Action.PAUSE, ErrorCode.SESSION_NOT_IN_PROGRESS),
        (Action.RESUME, ErrorCode.SESSION_NOT_PAUSED),
        (Action.END, ErrorCode.SESSION_NOT_IN_PROGRESS),
    ],
)
def test_the_refusals_use_the_spec_codes(action, code):
    assert TRANSITIONS[action].refusal == code


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
