"""The audio websocket `/ws/sessions/<id>/audio/`: who may stream, what is refused, and that
audio, mutes and connections reach the session's run through the channel layer."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from facilitation import inbox
from facilitation.audio.listener import SessionListener
from facilitation.audio_consumer import announce_audio_sockets
from facilitation.tests.audio_support import MAYA, TRACKS, talk_ms, turns
from facilitation.tests.socket_support import close_code as _close_code
from facilitation.tests.socket_support import open_socket
from sessions import services
from sessions.models import new_public_id
from sessions.state import Action, transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

TENTH = bytes(3200)  # 100 ms of silence


async def _open(session, *, user=None, keys=None):
    return await open_socket(f"/ws/sessions/{session.public_id}/audio/", user=user, keys=keys)


class Run:
    """Stands where the session's run listens: its inbox group on the channel layer."""

    def __init__(self, session):
        self.layer = get_channel_layer()
        self.group = inbox.run_group(session.public_id)
        self.session = session.public_id

    async def listen(self):
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        return self

    async def next(self):
        """The next message from an audio socket (the session's controls, which the run
        also hears, are skipped); each names the session, as one host hears many runs."""
        while True:
            message = await asyncio.wait_for(self.layer.receive(self.channel), timeout=3)
            if message["type"] != inbox.CONTROL:
                break
        if message["type"] != "test.mark":
            assert message.pop("session") == self.session
        return message

    async def nothing_more(self):
        """Nothing reached the run: once the consumer had time to pass on anything, a
        message sent to the group now is the next one."""
        await asyncio.sleep(0.2)
        await self.layer.group_send(self.group, {"type": "test.mark"})
        assert await self.next() == {"type": "test.mark"}


async def _streaming(session, user):
    """The run's inbox, and a socket of `user` the run already heard open."""
    run = await Run(session).listen()
    socket = await _open(session, user=user)
    assert (await run.next())["connected"] is True
    return run, socket


@pytest.fixture
def live_session(make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    transition(session, Action.START)
    return session


@pytest.fixture
async def maya(live_session):
    return await live_session.participants.aget(role="creator")


async def test_anonymous_is_closed_with_4001(live_session):
    assert await _close_code(await _open(live_session)) == 4001


async def test_an_outsider_is_closed_with_4004(live_session, outsider):
    assert await _close_code(await _open(live_session, user=outsider)) == 4004


async def test_an_unknown_session_is_closed_with_4004(live_session, creator):
    live_session.public_id = new_public_id()  # well formed, but no such session
    assert await _close_code(await _open(live_session, user=creator)) == 4004


async def test_a_session_not_started_yet_is_closed_with_4003(make_session, creator, invitee_user):
    session, _ = await sync_to_async(make_session)(consented=True, invitee=invitee_user)
    assert await _close_code(await _open(session, user=creator)) == 4003


async def test_an_ended_session_is_closed_with_4003(live_session, creator):
    await sync_to_async(transition)(live_session, Action.END)
    assert await _close_code(await _open(live_session, user=creator)) == 4003


async def test_audio_reaches_the_run_with_who_sent_it_and_its_order(live_session, creator, maya):
    run = await Run(live_session).listen()
    socket = await _open(live_session, user=creator)
    assert await run.next() == {
        "type": inbox.AUDIO_STREAM,
        "participant": maya.public_id,
        "connected": True,
    }
    first, second = bytes(range(256)) * 12 + bytes(128), b"\x01\x00" * 320
    await socket.send_to(bytes_data=first)
    await socket.send_to(bytes_data=second)
    assert await run.next() == {
        "type": inbox.AUDIO,
        "participant": maya.public_id,
        "seq": 1,
        "pcm": first,
    }
    assert (await run.next())["seq"] == 2
    await socket.disconnect()
    assert await run.next() == {
        "type": inbox.AUDIO_STREAM,
        "participant": maya.public_id,
        "connected": False,
    }


async def test_a_guest_invitee_streams_with_the_browser_key(make_session):
    session, token = await sync_to_async(make_session)()
    session, _, secret = await sync_to_async(services.answer_invitation)(
        token, consented=True, invitee_name="David"
    )
    await sync_to_async(transition)(session, Action.START)
    david = await session.participants.aget(role="invitee")
    run = await Run(session).listen()
    socket = await _open(session, keys={session.public_id: secret})
    assert (await run.next())["participant"] == david.public_id
    await socket.send_to(bytes_data=TENTH)
    assert (await run.next())["participant"] == david.public_id
    await socket.disconnect()


async def test_a_paused_session_still_takes_audio(live_session, creator):
    await sync_to_async(transition)(live_session, Action.PAUSE)
    _, socket = await _streaming(live_session, creator)
    await socket.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"bytes_data": bytes(641)}, 4000),  # half a sample
        ({"bytes_data": bytes(3202)}, 4013),  # longer than 100 ms
        ({"text_data": "not json"}, 4000),
        ({"text_data": '{"type": "unmute"}'}, 4000),
        ({"text_data": '{"type": "mute", "muted": "yes"}'}, 4000),
        ({"text_data": "[]"}, 4000),
    ],
)
async def test_a_malformed_message_closes_the_socket_and_reaches_nobody(
    live_session, creator, maya, message, code
):
    run, socket = await _streaming(live_session, creator)
    await socket.send_to(**message)
    assert await _close_code(socket) == code
    # The run only learns the stream ended; what followed the refused message is dropped.
    assert await run.next() == {
        "type": inbox.AUDIO_STREAM,
        "participant": maya.public_id,
        "connected": False,
    }
    await socket.send_to(bytes_data=TENTH)
    await run.nothing_more()


async def test_a_flood_of_messages_is_closed_with_4029(live_session, creator):
    socket = await _open(live_session, user=creator)
    # 2,000 messages sent as fast as possible: more than 100 a second after a 300 burst.
    for _ in range(2_000):
        await socket.send_to(bytes_data=b"\x00\x00")
    assert await _close_code(socket) == 4029


async def test_audio_sent_faster_than_twice_real_time_is_closed_with_4029(live_session, creator):
    socket = await _open(live_session, user=creator)
    # 20 s of audio at once, far more than the 6 s a stalled connection may deliver.
    for _ in range(200):
        await socket.send_to(bytes_data=TENTH)
    assert await _close_code(socket) == 4029


async def test_muted_means_not_listened_to(live_session, creator, maya):
    run, socket = await _streaming(live_session, creator)
    await socket.send_to(text_data='{"type": "mute", "muted": true}')
    assert await run.next() == {"type": inbox.MUTE, "participant": maya.public_id, "muted": True}
    await socket.send_to(bytes_data=TENTH)  # a browser that sends anyway is not heard
    await socket.send_to(text_data='{"type": "mute", "muted": false}')
    assert await run.next() == {"type": inbox.MUTE, "participant": maya.public_id, "muted": False}
    await socket.send_to(bytes_data=TENTH)
    assert (await run.next())["seq"] == 1
    await socket.disconnect()


async def test_a_second_socket_of_the_same_person_replaces_the_first(
    live_session, creator, invitee_user, maya
):
    run, first = await _streaming(live_session, creator)
    second = await _open(live_session, user=creator)
    assert await _close_code(first) == 4009
    # The person never left: the run hears of a new stream, not of a disconnection.
    assert await run.next() == {
        "type": inbox.AUDIO_STREAM,
        "participant": maya.public_id,
        "connected": True,
    }
    await first.send_to(bytes_data=TENTH)
    await second.send_to(bytes_data=TENTH)
    message = await run.next()
    assert (message["type"], message["seq"]) == (inbox.AUDIO, 1)
    # The other person's socket is theirs alone.
    david = await _open(live_session, user=invitee_user)
    assert (await run.next())["connected"] is True
    await second.send_to(bytes_data=TENTH)
    assert (await run.next())["seq"] == 2
    await david.disconnect()
    await second.disconnect()


async def test_a_restarted_run_learns_who_streams_and_who_is_muted(
    live_session, creator, invitee_user, maya
):
    run, socket = await _streaming(live_session, creator)
    await socket.send_to(text_data='{"type": "mute", "muted": true}')
    await run.next()
    david = await live_session.participants.aget(role="invitee")
    await announce_audio_sockets([maya.public_id, david.public_id])
    # David has no audio socket open: only Maya's answers.
    assert [await run.next(), await run.next()] == [
        {"type": inbox.AUDIO_STREAM, "participant": maya.public_id, "connected": True},
        {"type": inbox.MUTE, "participant": maya.public_id, "muted": True},
    ]
    await run.nothing_more()
    await socket.disconnect()


async def test_the_socket_closes_with_4003_when_the_session_ends(live_session, creator, maya):
    run, socket = await _streaming(live_session, creator)
    await sync_to_async(transition)(live_session, Action.END)
    assert await _close_code(socket) == 4003
    assert (await run.next())["connected"] is False


async def test_a_cut_and_reconnect_mid_turn_keeps_talk_time_right(live_session, creator):
    """Maya speaks 0.5-8.5 s; her connection drops at 4.0 s and is back at 5.0 s."""
    heard = []

    async def on_talk(talk):
        heard.append(talk)

    maya = await live_session.participants.aget(role="creator")
    listener = SessionListener([maya.public_id], on_talk)
    await listener.start()
    run = await Run(live_session).listen()
    pcm = TRACKS[MAYA]

    async def hear(at_ms):
        await listener.deliver(await run.next(), at_ms)

    async def connection(start_ms, end_ms):
        """One socket: opened at start_ms, her audio until end_ms, then cut."""
        socket = await _open(live_session, user=creator)
        await hear(start_ms)
        for at in range(start_ms, end_ms, 100):
            await socket.send_to(bytes_data=pcm[at * 32 : (at + 100) * 32])
            await hear(at + 100)
        await socket.disconnect()
        await hear(end_ms)

    await connection(0, 4_000)
    await connection(5_000, 10_000)
    await listener.stop()
    (before, after) = turns(heard, people=(maya.public_id,))[maya.public_id]
    assert before == (pytest.approx(500, abs=300), 4_000)
    assert after == (pytest.approx(5_000, abs=300), pytest.approx(8_500, abs=300))
    # She spoke 3.5 s before the cut and 3.5 s after it; the second lost is not hers.
    assert talk_ms([before, after]) == pytest.approx(7_000, abs=600)


async def test_a_page_of_another_site_cannot_open_the_socket(live_session):
    from diadi.routing import websocket_application as application

    path = f"/ws/sessions/{live_session.public_id}/audio/"
    host = (b"host", b"127.0.0.1:8000")
    foreign = WebsocketCommunicator(
        application, path, headers=[host, (b"origin", b"https://evil.test")]
    )
    assert (await foreign.connect())[0] is False
    ours = WebsocketCommunicator(
        application, path, headers=[host, (b"origin", b"http://127.0.0.1:8000")]
    )
    assert (await ours.connect())[0] is True
    assert await _close_code(ours) == 4001  # let in as far as the door: nobody is signed in
