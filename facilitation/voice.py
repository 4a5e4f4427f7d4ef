"""The facilitator's voice in a call: what a run says aloud goes out as audio to its meeting
bot, and a pause silences it at once.

A run hands each voice prompt it wrote to its VoiceOut. For a meeting session that is a
BotVoice: it renders the prompt to 16 kHz s16le mono PCM (a Voice) and streams it in 20 ms
frames, just ahead of real time, to the bot's channel-layer group, where the bot's input
socket (facilitation/meetings/consumers.py) plays them into the call. There is no speech
synthesis yet: the OfflineVoice plays a soft two-tone chime, so the two people in the call
know to look at their screens.

Stopping is two-sided: the run cancels its playback task, and the pause itself (a status
hook) tells the socket to drop what it has queued, so nothing already sent plays on.
"""

from __future__ import annotations

import array
import asyncio
import logging
import math
import secrets
import time
from collections.abc import Iterable
from functools import cache, partial
from typing import Protocol

from channels.layers import get_channel_layer

from diadi import outbox
from facilitation.engine import Event
from facilitation.sources import MEETING

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
FRAME_MS = 20
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2
# Frames go out this far ahead of real time, so a busy loop never leaves a gap in the call.
LEAD_FRAMES = 5
# Channel-layer message types the bot's input socket understands.
VOICE_FRAME = "bot.voice"
MUTE = "bot.mute"


def bot_group(public_id: str) -> str:
    """The channel-layer group of a session's meeting-bot input socket."""
    return f"bot.{public_id}"


def frames(pcm: bytes) -> list[bytes]:
    """20 ms frames; the last one padded with silence."""
    chunks = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]
    if chunks and len(chunks[-1]) < FRAME_BYTES:
        chunks[-1] = chunks[-1].ljust(FRAME_BYTES, b"\0")
    return chunks


def _tone(hz: float, seconds: float, level: float) -> list[float]:
    count = int(SAMPLE_RATE * seconds)
    fade = max(1, int(SAMPLE_RATE * 0.03))
    samples = []
    for n in range(count):
        # Raised-cosine edges: no click at either end.
        edge = min(1.0, n / fade, (count - 1 - n) / fade)
        envelope = 0.5 - 0.5 * math.cos(math.pi * max(0.0, edge))
        samples.append(level * envelope * math.sin(2 * math.pi * hz * n / SAMPLE_RATE))
    return samples


@cache
def chime() -> bytes:
    """A soft rising two-tone chime (E5 then A5), about 0.6 s, as s16le PCM."""
    level = 0.2
    samples = [
        *_tone(659.25, 0.22, level),
        *[0.0] * int(SAMPLE_RATE * 0.04),
        *_tone(880.0, 0.34, level),
    ]
    return array.array("h", (round(s * 32767) for s in samples)).tobytes()


class Voice(Protocol):
    def render(self, intervention: dict) -> bytes:
        """The prompt as 16 kHz s16le mono PCM."""
        ...


class OfflineVoice:
    """No speech synthesis: a chime says "look at your screens"."""

    def render(self, intervention: dict) -> bytes:
        return chime()


class VoiceOut(Protocol):
    def hand(self, events: Iterable[Event]) -> None:
        """The events a run just wrote; the voice prompts among them are spoken."""
        ...

    def stop(self) -> None:
        """Silence at once: whatever plays stops."""
        ...


class SilentVoice:
    """Where nobody can hear the facilitator (the browser room, scripts): nothing."""

    def hand(self, events: Iterable[Event]) -> None:
        return None

    def stop(self) -> None:
        return None


class BotVoice:
    """Voice prompts of one session, streamed to its meeting bot's input socket."""

    def __init__(self, public_id: str, voice: Voice | None = None) -> None:
        self._group = bot_group(public_id)
        self._voice = voice or OfflineVoice()
        self._task: asyncio.Task | None = None

    @property
    def playing(self) -> bool:
        return self._task is not None and not self._task.done()

    def hand(self, events: Iterable[Event]) -> None:
        for event in events:
            if event.type == "intervention" and event.data.get("modality") == "voice":
                self.say(event.data)

    def say(self, intervention: dict) -> None:
        """Play one prompt; a new one cuts off the one playing."""
        self.stop()
        pcm = self._voice.render(intervention)
        self._task = asyncio.get_running_loop().create_task(self._play(pcm))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _play(self, pcm: bytes) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        utterance = secrets.token_hex(6)
        started = time.monotonic()
        try:
            for n, frame in enumerate(frames(pcm)):
                due = started + (n - LEAD_FRAMES) * FRAME_MS / 1000
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await layer.group_send(
                    self._group, {"type": VOICE_FRAME, "utterance": utterance, "pcm": frame}
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            # The call misses a prompt; the run, and the prompt on screen, carry on.
            logger.exception("Voice prompt could not reach the meeting bot")


SILENT = SilentVoice()


def voice_out_for(source: dict, public_id: str) -> VoiceOut:
    """What a run speaks through: its meeting bot, or nobody."""
    if source.get("kind") == MEETING:
        return BotVoice(public_id)
    return SILENT


def mute(public_id: str) -> None:
    """Tell the session's bot socket to drop what it queued and play nothing more of the
    prompt under way (sync: called from status hooks)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        group = bot_group(public_id)
        outbox.send(partial(layer.group_send, group, {"type": MUTE}), group)
    except Exception:
        logger.exception("Could not silence the meeting bot of session %s", public_id)
