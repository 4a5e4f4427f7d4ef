"""The audio websocket of the browser room: `/ws/sessions/<public id>/audio/`.

Contract (others stream to it; keep it exactly so):
- the events socket's door and close codes (facilitation.admission), and only while the
  session is in progress or paused (otherwise, and when it ends, 4003);
- binary messages: 16 kHz signed 16-bit little-endian mono PCM, 1 to 100 ms (at most 3,200
  bytes, an even count);
- text messages: JSON controls, `{"type": "mute", "muted": true|false}`;
- one socket per participant: a newer socket replaces an older one, which closes with 4009;
- anything else closes the socket and reaches nobody: 4000 a malformed message, 4013 one
  longer than 100 ms, 4029 a flood.

Audio goes to the session's run through the channel layer (facilitation.inbox), from
whichever process holds the socket: `{"type": AUDIO, "participant", "seq", "pcm"}` with `seq`
counting this socket's messages from 1 (3.2 kB at most: far below any layer's message size
limit), plus `MUTE` and `AUDIO_STREAM` messages when the person mutes or the socket opens and
closes. A run that starts while people are already streaming (a restart) asks their sockets
to say again where they stand: `announce_audio_sockets()`. Nothing is written anywhere: the
audio lives only in those messages.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from diadi import untrusted_json
from diadi.consumers import DispatchWithoutDatabase, on_database
from facilitation import inbox
from facilitation.admission import CLOSE_NOT_FOUND, CLOSE_SESSION_ENDED, admit
from facilitation.audio.flood import AudioAllowance
from facilitation.audio.pcm import MAX_MESSAGE_BYTES, message_problem
from facilitation.limits import connection_allowed
from sessions.events import group_name
from sessions.models import LIVE_STATUSES, Participant, Session

CLOSE_BAD_MESSAGE = 4000
CLOSE_REPLACED = 4009
CLOSE_TOO_LONG = 4013
CLOSE_FLOOD = 4029


def participant_audio_group(participant_public_id: str) -> str:
    """Every audio socket of one participant, in whichever process it is."""
    return f"audio.{participant_public_id}"


async def announce_audio_sockets(participant_public_ids: Iterable[str]) -> None:
    """Each open audio socket of these people tells the run again that it streams, and
    whether its person is muted (AUDIO_STREAM, then MUTE)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for participant_public_id in participant_public_ids:
        await layer.group_send(
            participant_audio_group(participant_public_id), {"type": "audio.announce"}
        )


class SessionAudioConsumer(DispatchWithoutDatabase, AsyncWebsocketConsumer):
    session: Session
    participant: Participant
    # Set once the socket forwards audio; a refused or replaced socket forwards nothing more.
    streaming: bool = False
    replaced: bool = False

    async def connect(self) -> None:
        admitted = await admit(self)
        if admitted is None:
            return
        self.session, self.participant = admitted
        # A socket reopened in a loop must not flood the run with (dis)connections; this
        # budget is the audio socket's own, apart from the events socket's.
        if not await on_database(connection_allowed)(f"audio:{self.participant.public_id}"):
            await self.close(code=CLOSE_FLOOD, reason="Too many connections: wait a minute.")
            return
        self.muted = False
        self.seq = 0
        self.allowance = AudioAllowance(time.monotonic())
        self.opened = (time.time_ns(), self.channel_name)
        # Join first, then read: a status change committed meanwhile arrives either way.
        self.groups = [group_name(self.session.public_id), self._own_group]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await on_database(self.session.refresh_from_db)(fields=["status"])
        if self.session.status not in LIVE_STATUSES:
            await self._refuse(CLOSE_SESSION_ENDED, "The session is not in progress.")
            return
        await self.channel_layer.group_send(
            self._own_group, {"type": "audio.opened", "opened": list(self.opened)}
        )
        self.streaming = True
        await self._to_run(inbox.AUDIO_STREAM, connected=True)

    async def disconnect(self, code: int) -> None:
        if self.streaming:
            self.streaming = False
            # A replaced socket's person is still connected, through the newer socket.
            if not self.replaced:
                await self._to_run(inbox.AUDIO_STREAM, connected=False)
        await super().disconnect(code)

    @property
    def _own_group(self) -> str:
        return participant_audio_group(self.participant.public_id)

    async def _to_run(self, type: str, **fields: Any) -> None:
        message = {"type": type, "participant": self.participant.public_id, **fields}
        await inbox.send_to_run(self.session.public_id, message)

    async def _refuse(self, code: int, reason: str) -> None:
        """Closes the socket; nothing it sends from now on goes anywhere."""
        if self.streaming and not self.replaced:
            await self._to_run(inbox.AUDIO_STREAM, connected=False)
        self.streaming = False
        await self.close(code=code, reason=reason)

    # From the browser.
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.streaming:
            return
        if bytes_data is not None:
            await self._audio(bytes_data)
        else:
            await self._control(text_data or "")

    async def _audio(self, pcm: bytes) -> None:
        problem = message_problem(pcm)
        if problem is not None:
            code = CLOSE_TOO_LONG if len(pcm) > MAX_MESSAGE_BYTES else CLOSE_BAD_MESSAGE
            await self._refuse(code, f"Refused: {problem}.")
            return
        if not self.allowance.spend(len(pcm), time.monotonic()):
            await self._refuse(CLOSE_FLOOD, "Refused: audio sent faster than it is spoken.")
            return
        if self.muted:
            return  # muted means not listened to, even if a browser sends anyway
        self.seq += 1
        await self._to_run(inbox.AUDIO, seq=self.seq, pcm=pcm)

    async def _control(self, text: str) -> None:
        if not self.allowance.spend(0, time.monotonic()):
            await self._refuse(CLOSE_FLOOD, "Refused: too many messages.")
            return
        try:
            control = untrusted_json.loads(text)
        except untrusted_json.RefusedJSON:
            control = None
        if (
            not isinstance(control, dict)
            or control.get("type") != "mute"
            or not isinstance(control.get("muted"), bool)
        ):
            await self._refuse(
                CLOSE_BAD_MESSAGE, 'Refused: text messages are {"type": "mute", "muted": bool}.'
            )
            return
        if control["muted"] != self.muted:
            self.muted = control["muted"]
            await self._to_run(inbox.MUTE, muted=self.muted)

    # From the channel layer.
    async def audio_opened(self, message: dict[str, Any]) -> None:
        """Another socket of the same participant opened: the newer one stays."""
        if self.streaming and tuple(message["opened"]) > self.opened:
            self.replaced = True
            await self._refuse(CLOSE_REPLACED, "Replaced by a newer audio connection.")

    async def audio_announce(self, message: dict[str, Any]) -> None:
        if self.streaming:
            await self._to_run(inbox.AUDIO_STREAM, connected=True)
            await self._to_run(inbox.MUTE, muted=self.muted)

    async def session_event(self, message: dict[str, Any]) -> None:
        data = message["event"].get("data", {})
        if message["event"].get("type") != "session_state" or not self.streaming:
            return
        if data.get("status") == "deleted":
            await self._refuse(CLOSE_NOT_FOUND, "The session was deleted.")
        elif data.get("status") not in (*LIVE_STATUSES, None):
            await self._refuse(CLOSE_SESSION_ENDED, "The session is not in progress.")
