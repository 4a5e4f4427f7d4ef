"""A whole Zoom session against the fake MeetingBaas, on Diadi served as `make run` serves it
(plus, in production mode, a Celery worker hosting the run): launch, the bot joins, speaker
state and audio arrive, the live room's balance follows who spoke, the facilitator's voice
reaches the call, a pause silences it, ending sends the bot away."""

import json
import threading
import time

import httpx
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from websockets.sync.client import ClientConnection, connect

from conftest import wait_for
from facilitation import voice
from facilitation.meetings.recording import speaking_track
from facilitation.models import MeetingBot
from facilitation.tests.meeting_support import ZOOM_URL
from sessions.models import SessionEvent, Status

pytestmark = pytest.mark.django_db(transaction=True)

MEET_URL = "https://meet.google.com/abc-defg-hij"
SIDES = ("participantA", "participantB")


class LiveRoom:
    """What a live room hears on the events socket."""

    def __init__(self, socket: ClientConnection) -> None:
        self.messages: list[dict] = []
        self._socket = socket
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                self.messages.append(json.loads(self._socket.recv()))
        except Exception:
            return

    def of(self, type_: str) -> list[dict]:
        return [m["data"] for m in list(self.messages) if m["type"] == type_]

    @staticmethod
    def open(base: str, public_id: str, session_cookie: str) -> ClientConnection:
        url = base.replace("http", "ws", 1) + f"/ws/sessions/{public_id}/events/"
        return connect(
            url, origin=base, additional_headers={"Cookie": f"sessionid={session_cookie}"}
        )


def test_a_zoom_session_with_the_facilitator_in_the_call(
    meeting_server, make_session, invitee_user, creator
):
    base, fake = meeting_server
    session, _ = make_session(
        consented=True, invitee=invitee_user, platform="zoom", meeting_url=ZOOM_URL
    )
    token = Token.objects.create(user=creator).key
    api = httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30)
    browser = Client()
    browser.force_login(creator)
    with LiveRoom.open(base, session.public_id, browser.cookies["sessionid"].value) as socket:
        _facilitated(fake, session, api, LiveRoom(socket))


def _facilitated(fake, session, api, room) -> None:
    ids = {p.display_name: p.public_id for p in session.participants.all()}

    # Launch: the bot is created, joins, and streams the call.
    started = api.post(f"/api/v1/sessions/{session.public_id}/start", json={})
    assert started.status_code == 200, started.text
    bot = fake.bots[started.json()["botId"]]
    assert wait_for(lambda: bot.handshakes == 1 and bot.speaker_frames)
    assert wait_for(lambda: "in_call" in [d["status"] for d in room.of("bot_status")])

    # The conversation plays; the balance follows who the call said was speaking.
    assert wait_for(lambda: bot.played)
    maya_chunks, david_chunks = (sum(speaking_track(v.pcm)) for v in bot.voices)
    expected_maya = round(100 * maya_chunks / (maya_chunks + david_chunks))

    def shares() -> dict[str, int]:
        balances = room.of("balance_update")
        if not balances:
            return {}
        return {balances[-1][side]["id"]: balances[-1][side]["percentage"] for side in SIDES}

    # The last share is written within a balance interval of the last word.
    wait_for(lambda: abs(shares().get(ids["Maya"], 0) - expected_maya) <= 5, 10)
    assert abs(shares()[ids["Maya"]] - expected_maya) <= 5, (shares(), expected_maya)
    assert shares()[ids["Maya"]] + shares()[ids["David"]] == 100

    # One-sided: the facilitator's voice (a chime, with no speech synthesis) reaches the call.
    chime = voice.chime()
    assert wait_for(lambda: len(bot.received) >= len(chime))
    assert bytes(bot.received[: len(chime)]) == chime
    spoken = [d for d in room.of("intervention") if d["modality"] == "voice"]
    assert spoken and spoken[0]["targetParticipant"] == ids["David"]

    # The kill switch: no more audio goes out, though the talk stays one-sided.
    assert api.post(f"/api/v1/sessions/{session.public_id}/pause").status_code == 200
    heard_at_pause = len(bot.received)
    time.sleep(3)  # long enough for two more prompts, were the facilitator not paused
    assert len(bot.received) - heard_at_pause <= 2 * voice.FRAME_BYTES
    paused_seq = SessionEvent.objects.get(
        session=session, type="session_state", data__status="paused"
    ).seq
    assert not SessionEvent.objects.filter(
        session=session, type="intervention", seq__gt=paused_seq
    ).exists()

    # The end: the bot is told to leave, and says it left.
    assert api.post(f"/api/v1/sessions/{session.public_id}/end").status_code == 200
    assert wait_for(lambda: bot.leave_calls == 1 and bot.callbacks)
    assert bot.callbacks == [("bot.completed", 200)]
    row = MeetingBot.objects.get(session=session)
    assert (row.status, row.leave_requested) == ("left", True)
    session.refresh_from_db()
    assert session.status == Status.ENDED


def test_a_bot_that_fails_mid_call_pauses_facilitation_for_both(
    meeting_server, make_session, invitee_user, creator
):
    base, fake = meeting_server
    session, _ = make_session(
        consented=True, invitee=invitee_user, platform="meet", meeting_url=MEET_URL
    )
    token = Token.objects.create(user=creator).key
    api = httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30)
    started = api.post(f"/api/v1/sessions/{session.public_id}/start", json={})
    assert started.status_code == 200, started.text
    bot = fake.bots[started.json()["botId"]]
    assert wait_for(lambda: MeetingBot.objects.get(session=session).status == "in_call")

    # The host removes the bot: MeetingBaas calls back, with the secret Diadi gave it.
    fake.call(fake.fail, bot)
    assert bot.callbacks == [("bot.failed", 200)]
    row = MeetingBot.objects.get(session=session)
    assert (row.status, row.reason) == ("failed", "The bot was removed by the host")
    session.refresh_from_db()
    assert session.status == Status.PAUSED
    paused = SessionEvent.objects.get(session=session, type="session_state", data__status="paused")
    assert paused.data["reason"] == "bot_failed"
