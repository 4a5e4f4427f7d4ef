"""The meeting bot's audio sockets, as MeetingBaas streams (v2 `streaming_config`):

- `/ws/bots/<secret>/output/` (MeetingBaas' output_url): the bot sends the call to Diadi. A
  JSON handshake first ({"protocol_version", "bot_id", "offset", ...}), then binary s16le
  PCM and, whenever someone starts or stops speaking, a text frame listing everyone in the
  call: [{"name", "id", "timestamp", "isSpeaking"}]. Speaker state is the talk source for
  meetings: exact and named. Each change becomes a speech message to the session's run.
- `/ws/bots/<secret>/input/` (MeetingBaas' input_url): Diadi sends the bot PCM to play into
  the call (voice prompts, facilitation/voice.py), one 20 ms frame every 20 ms.

The secret in the path is the bot's own (only its SHA-256 is stored); a wrong one is refused
before the socket opens. The bot reconnects by itself and buffers nothing while away: a cut
stops, at that moment, whoever was speaking, and the next frame starts them again, so the
gap is counted for nobody and no second is counted twice.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from diadi.consumers import DispatchWithoutDatabase, on_database
from facilitation import inbox
from facilitation.meetings import streams
from facilitation.meetings.speakers import name_key
from facilitation.voice import FRAME_MS, bot_group

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4001
# A frame's own timestamp (the bot's clock) is used when it is this close to ours.
TRUSTED_SKEW_S = 10.0
# Beyond this, the queue of voice frames is not a prompt but a fault: drop the oldest.
MAX_QUEUED_FRAMES = 500


def _speech_at(entry: dict[str, Any], now: float) -> float:
    stamp = entry.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        seconds = stamp / 1000
        if abs(seconds - now) <= TRUSTED_SKEW_S:
            return seconds
    return now


class BotStreamConsumer(DispatchWithoutDatabase, AsyncWebsocketConsumer):
    bot: streams.StreamBot | None = None
    role: str = ""

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.role = kwargs["role"]
        self.bot = await on_database(streams.for_stream)(kwargs["secret"])
        if self.bot is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        # Meeting names (normalised) of the people this connection last said were speaking.
        self._speaking: dict[str, bool] = {}
        self._last_at = 0.0  # when the last frame was made
        self._frames: collections.deque[bytes] = collections.deque(maxlen=MAX_QUEUED_FRAMES)
        self._queued = asyncio.Event()
        self._utterance = ""
        self._muted = False
        self._pacer: asyncio.Task | None = None
        await self.accept()
        if self.role == "input":
            await self.channel_layer.group_add(bot_group(self.bot.public_id), self.channel_name)
            self._pacer = asyncio.create_task(self._pace())

    async def disconnect(self, code: int) -> None:
        if self.bot is None:
            return
        if self._pacer is not None:
            self._pacer.cancel()
            await self.channel_layer.group_discard(bot_group(self.bot.public_id), self.channel_name)
        if any(self._speaking.values()):
            # A gap is a gap: whoever spoke stops where the stream stopped.
            mapping = await on_database(streams.speaker_map)(self.bot, [], [])
            now = max(time.time(), self._last_at)
            for key in [k for k, on in self._speaking.items() if on]:
                await self._tell(mapping.get(key), speaking=False, at=now)
            self._speaking.clear()

    # From the bot ---------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.bot is None or self.role != "output" or text_data is None:
            # The call's raw audio is not needed for talk time (speaker state says it
            # exactly), so it goes no further.
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            return
        if isinstance(message, dict) and "protocol_version" in message:
            await on_database(streams.streaming)(self.bot)
        elif isinstance(message, list):
            await self._speaker_state(message)

    async def _speaker_state(self, frame: list[Any]) -> None:
        assert self.bot is not None
        now = time.time()
        entries: dict[str, dict[str, Any]] = {}
        for entry in frame:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                key = name_key(entry["name"])
                if key and (key not in entries or entry.get("isSpeaking") is True):
                    entries[key] = entry
        if not entries:
            return  # not speaker state after all
        speaking = [key for key, entry in entries.items() if entry.get("isSpeaking") is True]
        mapping = await on_database(streams.speaker_map)(self.bot, list(entries), speaking)
        # Someone no longer listed (they left the call) stopped when the frame was made.
        frame_at = max(_speech_at(entry, now) for entry in entries.values())
        self._last_at = max(self._last_at, frame_at)
        # Stops before starts: a turn handed over reads in its order.
        for key in [k for k, on in self._speaking.items() if on and k not in speaking]:
            self._speaking[key] = False
            at = _speech_at(entries[key], now) if key in entries else frame_at
            await self._tell(mapping.get(key), speaking=False, at=at)
        for key in speaking:
            if not self._speaking.get(key):
                self._speaking[key] = True
                await self._tell(mapping.get(key), speaking=True, at=_speech_at(entries[key], now))

    async def _tell(self, participant: str | None, *, speaking: bool, at: float) -> None:
        """A third person, or the bot itself, has no participant: not counted."""
        if participant is None or self.bot is None:
            return
        await inbox.send_to_run(
            self.bot.public_id,
            {
                "type": inbox.SPEECH,
                "session": self.bot.public_id,
                "participant": participant,
                "speaking": speaking,
                "at": at,
            },
        )

    # To the bot (input socket) --------------------------------------------------------------

    async def bot_voice(self, message: dict[str, Any]) -> None:
        assert self.bot is not None
        utterance = message.get("utterance", "")
        if utterance != self._utterance:
            # A new prompt: play it only while the facilitator is live (a pause already
            # muted this socket; this also catches a pause whose message was lost).
            self._utterance = utterance
            self._muted = not await on_database(streams.may_speak)(self.bot)
        if self._muted:
            return
        pcm = message.get("pcm")
        if isinstance(pcm, bytes):
            self._frames.append(pcm)
            self._queued.set()

    async def bot_mute(self, message: dict[str, Any]) -> None:
        self._muted = True
        self._frames.clear()

    async def _pace(self) -> None:
        """One frame per frame length, so what is queued can still be dropped by a pause."""
        step = FRAME_MS / 1000
        due = time.monotonic()
        while True:
            if not self._frames:
                self._queued.clear()
                await self._queued.wait()
                due = max(due, time.monotonic())
            frame = self._frames.popleft()
            await self.send(bytes_data=frame)
            due += step
            await asyncio.sleep(max(0.0, due - time.monotonic()))
