"""The events socket under input nobody should send: floods, repeats, binary frames, deep JSON,
NUL, malformed ids. Each gets an error message or a clean close code, the log stays bounded,
and presence is always corrected."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import OperationalError
from django.utils import timezone

from diadi.routing import websocket_urlpatterns
from facilitation.limits import CONNECTIONS_PER_MINUTE
from facilitation.tests.test_events_consumer import _close_code, _connect, _next
from sessions import services
from sessions.events import record_event
from sessions.models import Participant, SessionEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def ready_session(make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    return session


async def _joined(session, user):
    communicator = await _connect(session, user=user)
    await _next(communicator, "session_state")
    await _pong(communicator)  # connect() has finished: presence is counted
    return communicator


async def _pong(communicator):
    """Everything sent before has been handled once the pong arrives (one message at a time)."""
    await communicator.send_json_to({"type": "ping"})
    await _next(communicator, "pong")


async def _logged(session, type_):
    return [e.data async for e in SessionEvent.objects.filter(session=session, type=type_)]


async def _presence(session, role):
    participant = await Participant.objects.aget(session=session, role=role)
    statuses = [
        d["status"]
        for d in await _logged(session, "participant_status")
        if d.get("participantId") == participant.public_id
    ]
    return participant.connection_count, statuses


async def test_a_settings_flood_is_told_then_closed_and_barely_logged(ready_session, creator):
    communicator = await _joined(ready_session, creator)
    for n in range(300):
        await communicator.send_json_to(
            {"type": "update_settings", "data": {"tensionMonitoring": n % 2 == 0}}
        )
    errors = []
    while True:
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            break
        message = json.loads(output["text"])
        if message["type"] == "error":
            errors.append(message["data"])
    assert output["code"] == 1008
    assert errors[0]["code"] == "RATE_LIMITED"
    assert "update_settings" in errors[0]["message"]
    assert len(errors) == 1  # told once, not once per refused message
    await communicator.disconnect()
    # 300 sent: a handful allowed, merged into at most one event a second.
    assert len(await _logged(ready_session, "settings_changed")) <= 10
    assert (await _presence(ready_session, "creator"))[0] == 0


async def test_repeating_the_current_settings_logs_nothing(ready_session, creator):
    communicator = await _joined(ready_session, creator)
    for _ in range(3):
        await communicator.send_json_to(
            {"type": "update_settings", "data": {"tensionMonitoring": True}}
        )
    await _pong(communicator)
    await communicator.disconnect()
    assert await _logged(ready_session, "settings_changed") == []


async def test_rapid_changes_are_merged_and_the_last_one_is_kept(ready_session, creator):
    communicator = await _joined(ready_session, creator)
    for on in (False, True, False, True, False):
        await communicator.send_json_to(
            {"type": "update_settings", "data": {"sentimentDetection": on}}
        )
    await _pong(communicator)
    await communicator.disconnect()  # what is still waiting to be saved is saved now
    await ready_session.arefresh_from_db()
    assert ready_session.sentiment_detection is False
    logged = await _logged(ready_session, "settings_changed")
    assert 1 <= len(logged) <= 2
    assert logged[-1]["sentimentDetection"] is False


async def test_a_prompt_is_acknowledged_once_however_often_it_is_sent(ready_session, creator):
    await sync_to_async(record_event)(
        ready_session.pk, "intervention", {"id": "int_1", "type": "balance", "message": "m"}
    )
    communicator = await _joined(ready_session, creator)
    for action in ("followed", "followed", "dismissed"):
        await communicator.send_json_to(
            {"type": "intervention_ack", "data": {"interventionId": "int_1", "action": action}}
        )
    await _pong(communicator)
    await communicator.disconnect()
    acks = await _logged(ready_session, "intervention_ack")
    assert [a["action"] for a in acks] == ["followed"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"bytes_data": b"\x00\x01"}, "This socket takes JSON text messages, not binary."),
        (
            {"text_data": '{"type": "ping", "data":' + "[" * 1000 + "]" * 1000 + "}"},
            "JSON may be nested at most 32 levels deep.",
        ),
        (
            {"text_data": '{"type": "intervention_ack", "data": {"interventionId": "a\\u0000"}}'},
            "Text may not contain the NUL character (\\u0000).",
        ),
        ({"text_data": json.dumps({"type": "ping", "pad": "x" * 20_000})}, "at most 16 KB"),
    ],
)
async def test_unexpected_frames_get_an_error_and_presence_stays_right(
    ready_session, creator, invitee_user, frame, message
):
    watcher = await _joined(ready_session, invitee_user)
    communicator = await _joined(ready_session, creator)
    await communicator.send_to(**frame)
    error = await _next(communicator, "error")
    assert error["data"]["code"] == "INVALID_MESSAGE"
    assert message in error["data"]["message"]
    await _pong(communicator)  # still open and working
    await communicator.disconnect()
    assert await _presence(ready_session, "creator") == (0, ["joined", "disconnected"])
    await watcher.disconnect()


async def test_a_failure_while_handling_a_message_closes_cleanly_and_corrects_presence(
    ready_session, creator, monkeypatch
):
    def database_gone(*args, **kwargs):
        raise OperationalError("the database went away")

    communicator = await _joined(ready_session, creator)
    monkeypatch.setattr(services, "acknowledge_intervention", database_gone)
    await communicator.send_json_to(
        {"type": "intervention_ack", "data": {"interventionId": "int_1", "action": "followed"}}
    )
    assert await _close_code(communicator) == 4011
    await communicator.disconnect()  # the server's half of the close
    assert await _presence(ready_session, "creator") == (0, ["joined", "disconnected"])


async def test_a_count_left_by_a_killed_server_does_not_keep_anyone_joined(ready_session, creator):
    creator_participant = await Participant.objects.aget(session=ready_session, role="creator")
    # What a server killed with -9 leaves behind: a socket counted, never subtracted.
    creator_participant.connection_count = 1
    creator_participant.last_seen_at = timezone.now() - timedelta(minutes=10)
    await creator_participant.asave()
    communicator = await _joined(ready_session, creator)
    await communicator.disconnect()
    count, _ = await _presence(ready_session, "creator")
    assert count == 0
    snapshot = await sync_to_async(services.snapshot)(ready_session)
    assert not any(p["present"] for p in snapshot["participants"])


async def test_sockets_that_stop_beating_expire(ready_session, creator, invitee_user):
    communicator = await _joined(ready_session, creator)
    # The server dies: no disconnect ever runs for this socket.
    communicator.future.cancel()
    await asyncio.gather(communicator.future, return_exceptions=True)
    assert (await _presence(ready_session, "creator")) == (1, ["joined"])
    with time_machine.travel(timezone.now() + timedelta(seconds=91), tick=True):
        assert await sync_to_async(services.expire_presence)() == 1
        assert await _presence(ready_session, "creator") == (0, ["joined", "disconnected"])
        watcher = await _connect(ready_session, user=invitee_user)
        state = await _next(watcher, "session_state")
        creator_state = next(p for p in state["data"]["participants"] if p["role"] == "creator")
        assert creator_state["present"] is False
        await watcher.disconnect()


async def test_reconnecting_in_a_loop_is_refused_so_presence_cannot_flood_the_log(
    ready_session, creator
):
    # All within one minute of the clock the limit counts by, however slow the machine.
    with time_machine.travel(datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC), tick=False):
        for _ in range(CONNECTIONS_PER_MINUTE):
            communicator = await _joined(ready_session, creator)
            await communicator.disconnect()
        refused = await _connect(ready_session, user=creator)
        error = await _next(refused, "error")
        assert error["data"]["code"] == "TOO_MANY_CONNECTIONS"
        assert await _close_code(refused) == 1008
    statuses = (await _presence(ready_session, "creator"))[1]
    assert len(statuses) == 2 * CONNECTIONS_PER_MINUTE


@pytest.mark.parametrize("bad_id", ["\x00", "a\x00" * 11, "x" * 300, "../../etc"])
async def test_a_malformed_session_id_is_closed_with_4004(creator, bad_id):
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/sessions/{bad_id}/events/"
    )
    communicator.scope["user"] = creator
    connected, _ = await communicator.connect()
    assert connected
    assert await _close_code(communicator) == 4004
