"""The call's signalling over the events socket: offers, answers and ICE candidates reach the
other participant only, are checked, limited, and never logged."""

import asyncio

import pytest

from facilitation.call import MAX_SDP_CHARS
from facilitation.tests.socket_support import close_code, open_socket
from sessions.models import SessionEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
OFFER = {"type": "call_offer", "data": {"callId": "c1", "sdp": SDP}}
ANSWER = {"type": "call_answer", "data": {"callId": "c1", "sdp": SDP}}
ICE = {
    "type": "call_ice",
    "data": {
        "callId": "c1",
        "candidate": "candidate:1 1 udp 2122260223 10.0.0.5 50000 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    },
}


@pytest.fixture
def ready_session(make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    return session


async def _joined(session, user):
    communicator = await open_socket(f"/ws/sessions/{session.public_id}/events/", user=user)
    assert (await communicator.receive_json_from(timeout=3))["type"] == "session_state"
    await _until_pong(communicator)
    return communicator


async def _until_pong(communicator) -> list[dict]:
    """What the socket sent before answering a ping: everything sent to it before is handled."""
    await communicator.send_json_to({"type": "ping"})
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "pong":
            return received
        received.append(message)


async def _signals(communicator) -> list[dict]:
    # A relayed signal crosses the channel layer: give it time to arrive before the pong.
    await asyncio.sleep(0.2)
    return [m for m in await _until_pong(communicator) if m["type"].startswith("call_")]


async def test_each_signal_reaches_the_other_participant_only(ready_session, creator, invitee_user):
    maya = await _joined(ready_session, creator)
    maya_other_tab = await _joined(ready_session, creator)
    david = await _joined(ready_session, invitee_user)

    for message in ({"type": "call_hello", "data": {}}, OFFER, ICE):
        await maya.send_json_to(message)
    await david.send_json_to(ANSWER)
    await david.send_json_to({**ICE, "data": {**ICE["data"], "candidate": ""}})
    await david.send_json_to({"type": "call_hangup", "data": {"callId": "c1"}})

    assert [(m["type"], m["data"]) for m in await _signals(david)] == [
        ("call_hello", {}),
        ("call_offer", OFFER["data"]),
        ("call_ice", ICE["data"]),
    ]
    received_by_maya = [
        ("call_answer", ANSWER["data"]),
        ("call_ice", {**ICE["data"], "candidate": ""}),
        ("call_hangup", {"callId": "c1"}),
    ]
    assert [(m["type"], m["data"]) for m in await _signals(maya)] == received_by_maya
    # Maya's other tab is Maya: it hears David, never Maya herself.
    assert [(m["type"], m["data"]) for m in await _signals(maya_other_tab)] == received_by_maya
    for socket in (maya, maya_other_tab, david):
        await socket.disconnect()


async def test_signals_are_never_logged_nor_replayed(ready_session, creator, invitee_user):
    maya = await _joined(ready_session, creator)
    david = await _joined(ready_session, invitee_user)
    logged = await SessionEvent.objects.filter(session=ready_session).acount()
    last_seq = (await SessionEvent.objects.filter(session=ready_session).alast()).seq

    await maya.send_json_to(OFFER)
    await david.send_json_to(ANSWER)
    assert [m["type"] for m in await _signals(david)] == ["call_offer"]
    assert [m["type"] for m in await _signals(maya)] == ["call_answer"]

    assert await SessionEvent.objects.filter(session=ready_session).acount() == logged
    assert not await SessionEvent.objects.filter(type__startswith="call_").aexists()
    replay = await open_socket(
        f"/ws/sessions/{ready_session.public_id}/events/?after={last_seq - 1}", user=creator
    )
    replayed = await _until_pong(replay)
    assert not [m for m in replayed if m["type"].startswith("call_")]
    for socket in (maya, david, replay):
        await socket.disconnect()


async def test_an_outsider_cannot_join_the_call(ready_session, outsider):
    socket = await open_socket(f"/ws/sessions/{ready_session.public_id}/events/", user=outsider)
    assert await close_code(socket) == 4004


async def test_a_lone_participant_signals_nobody(ready_session, creator):
    maya = await _joined(ready_session, creator)
    await maya.send_json_to(OFFER)
    assert await _signals(maya) == []
    await maya.disconnect()


@pytest.mark.parametrize(
    "message, code, words",
    [
        (
            {"type": "call_offer", "data": {"callId": "c1", "sdp": "x" * (MAX_SDP_CHARS + 1)}},
            "CALL_SIGNAL_TOO_LARGE",
            "at most 12000 characters",
        ),
        ({"type": "call_offer", "data": {"sdp": SDP}}, "INVALID_CALL_SIGNAL", "callId"),
        (
            {"type": "call_answer", "data": {"callId": "c 1", "sdp": SDP}},
            "INVALID_CALL_SIGNAL",
            "callId",
        ),
        ({"type": "call_answer", "data": {"callId": "c1"}}, "INVALID_CALL_SIGNAL", "sdp"),
        (
            {"type": "call_ice", "data": {**ICE["data"], "candidate": "c" * 1001}},
            "CALL_SIGNAL_TOO_LARGE",
            "ICE candidate",
        ),
        (
            {"type": "call_ice", "data": {**ICE["data"], "sdpMLineIndex": "0"}},
            "INVALID_CALL_SIGNAL",
            "sdpMLineIndex",
        ),
        ({"type": "call_ice", "data": {"callId": "c1"}}, "INVALID_CALL_SIGNAL", "candidate"),
        ({"type": "call_hello", "data": {"sdp": SDP}}, "INVALID_CALL_SIGNAL", "takes no data"),
        ({"type": "call_hangup", "data": {}}, "INVALID_CALL_SIGNAL", "takes the callId"),
        ({"type": "call_hangup", "data": []}, "INVALID_MESSAGE", "JSON object"),
    ],
)
async def test_a_bad_signal_is_refused_clearly_and_the_socket_stays_open(
    ready_session, creator, invitee_user, message, code, words
):
    maya = await _joined(ready_session, creator)
    david = await _joined(ready_session, invitee_user)
    await maya.send_json_to(message)
    (error,) = [m for m in await _until_pong(maya) if m["type"] == "error"]
    assert error["data"]["code"] == code
    assert words in error["data"]["message"]
    assert await _signals(david) == []
    await maya.send_json_to(OFFER)  # still open, still relaying
    assert [m["type"] for m in await _signals(david)] == ["call_offer"]
    await maya.disconnect()
    await david.disconnect()


async def test_a_burst_of_candidates_passes_and_a_flood_is_limited(
    ready_session, creator, invitee_user
):
    maya = await _joined(ready_session, creator)
    david = await _joined(ready_session, invitee_user)
    for _ in range(20):  # a browser's burst
        await maya.send_json_to(ICE)
    assert [m for m in await _until_pong(maya) if m["type"] == "error"] == []
    assert len(await _signals(david)) == 20

    for _ in range(60):
        await maya.send_json_to(ICE)
    errors = [m for m in await _until_pong(maya) if m["type"] == "error"]
    assert [e["data"]["code"] for e in errors] == ["RATE_LIMITED"]
    assert "call_ice" in errors[0]["data"]["message"]
    assert 30 <= len(await _signals(david)) < 50
    await maya.disconnect()
    await david.disconnect()


async def test_a_signal_flood_that_does_not_stop_is_closed(ready_session, creator, invitee_user):
    maya = await _joined(ready_session, creator)
    for _ in range(200):
        await maya.send_json_to(OFFER)
    assert await close_code(maya) == 1008
