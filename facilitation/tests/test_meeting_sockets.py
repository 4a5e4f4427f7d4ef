"""The meeting bot's audio sockets, as MeetingBaas' bot opens them: its secret is its door,
the handshake says it is in the call, speaker state becomes who speaks when for the run,
and the input socket plays the run's voice into the call (and stops on a pause)."""

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.test import APIClient

from diadi.routing import websocket_application
from facilitation import inbox, voice
from facilitation.meetings.bots import BOT_STATUS
from facilitation.models import MeetingBot
from facilitation.tests.meeting_support import (
    ZOOM_URL,
    stream_secret,
)
from sessions.models import SessionEvent
from sessions.state import Action, transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

app = websocket_application


@pytest.fixture
def zoom_session(make_session, invitee_user):
    return make_session(
        consented=True, invitee=invitee_user, platform="zoom", meeting_url=ZOOM_URL
    )[0]


def _launch(session, fake) -> tuple[str, dict[str, str]]:
    """Start the session (its bot is created by the fake); the bot's stream secret, and the
    participants' ids by name."""
    client = APIClient()
    client.force_authenticate(session.creator)
    response = client.post(f"/api/v1/sessions/{session.public_id}/start", {}, format="json")
    assert response.status_code == 200, response.json()
    ids = {p.display_name: p.public_id for p in session.participants.all()}
    return stream_secret(fake, response.json()["botId"]), ids


async def _socket(secret: str, role: str = "output") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, f"/ws/bots/{secret}/{role}/")
    connected, _ = await communicator.connect()
    assert connected
    return communicator


class RunInbox:
    """Listens where the session's run listens (one reader: a receive cut short by a
    timeout could lose a message on some channel layers)."""

    def __init__(self, public_id: str) -> None:
        self.group = inbox.run_group(public_id)
        self.heard: asyncio.Queue = asyncio.Queue()

    async def __aenter__(self) -> "RunInbox":
        self.layer = get_channel_layer()
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            if message["type"] == inbox.SPEECH:
                await self.heard.put((message["participant"], message["speaking"], message["at"]))

    async def __aexit__(self, *exc: object) -> None:
        self._reader.cancel()
        await self.layer.group_discard(self.group, self.channel)

    async def speech(self, count: int) -> list[tuple[str, bool, float]]:
        return [await asyncio.wait_for(self.heard.get(), 5) for _ in range(count)]

    async def nothing_more(self) -> None:
        """No more speech comes (what was sent has had time to arrive)."""
        await asyncio.sleep(0.3)
        assert self.heard.empty(), self.heard.get_nowait()


def _frame(at_ms: int, **speaking: bool) -> str:
    return json.dumps(
        [
            {"name": name, "id": n + 1, "timestamp": at_ms, "isSpeaking": on}
            for n, (name, on) in enumerate(speaking.items())
        ]
    )


async def test_a_wrong_or_missing_secret_is_refused_before_the_socket_opens(
    zoom_session, fake_meetingbaas
):
    secret, _ = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    for path in (
        f"/ws/bots/{secret[:-1]}x/output/",
        f"/ws/bots/{'a' * 43}/input/",
        f"/ws/bots/{secret}/elsewhere/",
    ):
        communicator = WebsocketCommunicator(app, path)
        connected, _ = await communicator.connect()
        assert not connected, path
    assert await MeetingBot.objects.values_list("status", flat=True).aget() == "joining"


async def test_a_bot_of_an_ended_session_is_refused(zoom_session, fake_meetingbaas):
    secret, _ = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    await sync_to_async(transition)(zoom_session, Action.END)
    communicator = WebsocketCommunicator(app, f"/ws/bots/{secret}/output/")
    connected, _ = await communicator.connect()
    assert not connected


async def test_the_handshake_says_the_bot_is_in_the_call(zoom_session, fake_meetingbaas):
    secret, _ = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    socket = await _socket(secret)
    await socket.send_to(
        text_data=json.dumps({"protocol_version": 1, "bot_id": "x", "offset": 0.0})
    )
    await socket.send_to(bytes_data=b"\0" * 3200)  # the call's audio: not needed, ignored
    await socket.disconnect(timeout=5)
    events = [
        e.data["status"]
        async for e in SessionEvent.objects.filter(session=zoom_session, type=BOT_STATUS)
    ]
    assert events == ["joining", "in_call"]


async def test_speaker_state_tells_the_run_who_speaks_when(zoom_session, fake_meetingbaas):
    secret, ids = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    now_ms = int(time.time() * 1000)
    async with RunInbox(zoom_session.public_id) as run:
        socket = await _socket(secret)
        bot = "Neutral Mediator"
        await socket.send_to(text_data=_frame(now_ms, Maya=True, David=False, **{bot: False}))
        await socket.send_to(
            text_data=_frame(now_ms + 2500, Maya=False, David=True, **{bot: False})
        )
        # The bot itself, and a third person, count for nobody.
        await socket.send_to(
            text_data=_frame(now_ms + 3000, Maya=False, David=True, Grandma=True, **{bot: True})
        )
        # A frame that is not speaker state, and nonsense, change nothing.
        await socket.send_to(text_data="not json")
        await socket.send_to(text_data=json.dumps([{"isSpeaking": True}, 7]))
        heard = await run.speech(3)
        await run.nothing_more()
        await socket.disconnect(timeout=5)
        # Cut while David speaks: he stops where the stream stopped.
        [(who, speaking, at)] = await run.speech(1)
    assert heard == [
        (ids["Maya"], True, now_ms / 1000),
        (ids["Maya"], False, (now_ms + 2500) / 1000),
        (ids["David"], True, (now_ms + 2500) / 1000),
    ]
    assert (who, speaking) == (ids["David"], False)
    assert at >= (now_ms + 3000) / 1000
    bot_row = await MeetingBot.objects.aget(session=zoom_session)
    assert bot_row.speakers == {"maya": ids["Maya"], "david": ids["David"]}


async def test_names_that_match_neither_go_to_the_first_two_speakers(
    zoom_session, fake_meetingbaas
):
    secret, ids = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    now_ms = int(time.time() * 1000)
    async with RunInbox(zoom_session.public_id) as run:
        socket = await _socket(secret)
        names = {"Guest 2": False, "iPhone (7)": True}
        await socket.send_to(text_data=_frame(now_ms, **names))
        await socket.send_to(text_data=_frame(now_ms + 1000, **{"Guest 2": True}))
        await socket.send_to(text_data=_frame(now_ms + 2000, **{"Guest 2": True, "Zoë": True}))
        heard = await run.speech(3)
        await run.nothing_more()
        await socket.disconnect(timeout=5)
    # iPhone spoke first: the creator; Guest 2 next: the invitee; Zoë is a third person.
    assert heard == [
        (ids["Maya"], True, now_ms / 1000),
        (ids["Maya"], False, (now_ms + 1000) / 1000),
        (ids["David"], True, (now_ms + 1000) / 1000),
    ]
    bot_row = await MeetingBot.objects.aget(session=zoom_session)
    assert bot_row.speakers == {"iphone (7)": ids["Maya"], "guest 2": ids["David"]}


async def test_swapped_labels_swap_who_each_name_is(zoom_session, fake_meetingbaas, invitee_user):
    secret, ids = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    now_ms = int(time.time() * 1000)
    async with RunInbox(zoom_session.public_id) as run:
        socket = await _socket(secret)
        await socket.send_to(text_data=_frame(now_ms, Laptop=True, Phone=False))
        assert await run.speech(1) == [(ids["Maya"], True, now_ms / 1000)]
        # David presses "Swap the speaker labels" in the live room.
        david = Client()
        await sync_to_async(david.force_login)(invitee_user)
        response = await sync_to_async(david.post)(
            f"/sessions/{zoom_session.public_id}/speakers/swap/"
        )
        assert response.status_code == 302
        await socket.send_to(text_data=_frame(now_ms + 1000, Laptop=False, Phone=True))
        heard = await run.speech(2)
        await socket.disconnect(timeout=5)
    # "Laptop" is David now, and "Phone" (who had no one) takes the free place: Maya.
    assert heard == [
        (ids["David"], False, (now_ms + 1000) / 1000),
        (ids["Maya"], True, (now_ms + 1000) / 1000),
    ]
    assert await SessionEvent.objects.filter(
        session=zoom_session, type="speakers_swapped"
    ).aexists()


async def test_a_cut_mid_turn_is_a_gap_counted_for_nobody(zoom_session, fake_meetingbaas):
    secret, ids = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    now_ms = int(time.time() * 1000)
    async with RunInbox(zoom_session.public_id) as run:
        first = await _socket(secret)
        await first.send_to(text_data=_frame(now_ms - 3000, Maya=True, David=False))
        await first.disconnect(timeout=5)  # the stream drops while Maya talks
        cut = await run.speech(2)
        # The bot is back; nothing was buffered: it says how things are now.
        second = await _socket(secret)
        await second.send_to(text_data=_frame(now_ms + 1000, Maya=True, David=False))
        await second.send_to(text_data=_frame(now_ms + 2000, Maya=False, David=False))
        back = await run.speech(2)
        await second.disconnect(timeout=5)
        await run.nothing_more()
    maya = ids["Maya"]
    assert cut[0] == (maya, True, (now_ms - 3000) / 1000)
    assert cut[1][:2] == (maya, False)
    assert back == [(maya, True, (now_ms + 1000) / 1000), (maya, False, (now_ms + 2000) / 1000)]
    # The gap between the cut and the bot's return belongs to nobody.
    assert cut[1][2] <= back[0][2]


async def test_the_input_socket_plays_the_run_voice_and_a_pause_drops_it(
    zoom_session, fake_meetingbaas
):
    secret, _ = await sync_to_async(_launch)(zoom_session, fake_meetingbaas)
    layer = get_channel_layer()
    socket = await _socket(secret, "input")
    group = voice.bot_group(zoom_session.public_id)
    frames = [bytes([n]) * voice.FRAME_BYTES for n in range(1, 4)]
    for frame in frames:
        await layer.group_send(group, {"type": voice.VOICE_FRAME, "utterance": "u1", "pcm": frame})
    played = [await socket.receive_from(timeout=5) for _ in frames]
    assert played == frames

    # Two seconds of voice queued at once, then silence: the queue is dropped (in the
    # socket's own order, the drop comes right after the frames, long before they played).
    for n in range(100):
        message = {"type": voice.VOICE_FRAME, "utterance": "u2", "pcm": bytes([n]) * 640}
        await layer.group_send(group, message)
    await layer.group_send(group, {"type": voice.MUTE})
    played = []
    while not await socket.receive_nothing(timeout=0.3):
        played.append(await socket.receive_from())
    assert bytes([99]) * 640 not in played

    # A prompt under way when someone pauses: the pause itself silences it.
    await layer.group_send(group, {"type": voice.VOICE_FRAME, "utterance": "u3", "pcm": frames[0]})
    assert await socket.receive_from(timeout=5) == frames[0]
    await sync_to_async(transition)(zoom_session, Action.PAUSE)
    await layer.group_send(group, {"type": voice.VOICE_FRAME, "utterance": "u3", "pcm": frames[1]})
    assert await socket.receive_nothing(timeout=0.5)
    # And a new prompt while paused is not played at all.
    await layer.group_send(group, {"type": voice.VOICE_FRAME, "utterance": "u4", "pcm": frames[2]})
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect(timeout=5)
