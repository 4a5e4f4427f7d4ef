"""The Pipecat pieces of a session's listening pipeline (see listener.py for the whole):

ParticipantAudioFrame ─► [ParticipantGate(p) → VADProcessor → TalkProcessor(p)] per person
                      ─► TalkFrame ─► TalkSink ─► on_talk(SpeechStarted | SpeechStopped)
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pipecat.frames.frames import (
    Frame,
    SpeechControlParamsFrame,
    SystemFrame,
    UserAudioRawFrame,
    UserSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from facilitation.engine.inputs import SpeechStarted, SpeechStopped, TalkInput

from .streams import WINDOW_MS

# What the detector says about the audio; only the talk processor downstream needs it.
VAD_FRAMES = (
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
    UserSpeakingFrame,
    SpeechControlParamsFrame,
)


@dataclass
class ParticipantAudioFrame(UserAudioRawFrame):
    """One detector window of one person's audio, placed on the session's clock (ms)."""

    end_ms: float = 0.0
    heard_ms: float = 0.0


@dataclass
class TalkFrame(SystemFrame):
    talk: TalkInput


@dataclass
class HeardFrame(SystemFrame):
    """Follows one person's audio through their branch: when it reaches the sink, all of
    that audio was heard and its talk inputs handed on. (Pipecat's own flush probe leaves
    a parallel pipeline with the first branch that is done, not the last.)"""

    user_id: str
    heard: asyncio.Future[None]


def detector_delay_ms(secs: float) -> float:
    """The detector confirms a start or a stop after round(secs / window) windows."""
    return round(secs * 1000 / WINDOW_MS) * WINDOW_MS


class ParticipantGate(FrameProcessor):
    """In front of one person's detector: lets only their audio in, and keeps the detector's
    upstream copies of its verdicts from wandering out of the branch."""

    def __init__(self, participant_id: str) -> None:
        super().__init__(name=f"ParticipantGate#{participant_id}")
        self._participant_id = participant_id

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, (ParticipantAudioFrame, HeardFrame)):
            if frame.user_id == self._participant_id:
                await self.push_frame(frame, direction)
        elif not (direction == FrameDirection.UPSTREAM and isinstance(frame, VAD_FRAMES)):
            await self.push_frame(frame, direction)


class TalkProcessor(FrameProcessor):
    """Behind one person's detector: turns its start/stop verdicts into talk inputs.

    The detector only confirms a start after `start_secs` of speech and a stop after
    `stop_secs` of quiet, so each verdict is back-dated by that much from the end of the
    window that settled it. Audio stops here."""

    def __init__(self, participant_id: str) -> None:
        super().__init__(name=f"TalkProcessor#{participant_id}")
        self._participant_id = participant_id
        self._window: ParticipantAudioFrame | None = None
        self._last_ms = 0.0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, ParticipantAudioFrame):
            self._window = frame
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            await self._talk(SpeechStarted, detector_delay_ms(frame.start_secs))
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            await self._talk(SpeechStopped, detector_delay_ms(frame.stop_secs))
        elif not isinstance(frame, VAD_FRAMES):
            await self.push_frame(frame, direction)

    async def _talk(self, kind: type[SpeechStarted] | type[SpeechStopped], delay_ms: float) -> None:
        if self._window is None:
            return
        at = min(self._window.end_ms - delay_ms, self._window.heard_ms)
        # One person's inputs never go back in time, even when their stream was re-anchored.
        self._last_ms = max(self._last_ms, at)
        await self.push_frame(TalkFrame(kind(round(self._last_ms), self._participant_id)))


class TalkSink(FrameProcessor):
    """The end of the pipeline: hands each talk input to whoever listens."""

    def __init__(self, on_talk: Callable[[TalkInput], Awaitable[None]]) -> None:
        super().__init__(name="TalkSink")
        self._on_talk = on_talk

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, TalkFrame):
            await self._on_talk(frame.talk)
        elif isinstance(frame, HeardFrame):
            if not frame.heard.done():
                frame.heard.set_result(None)
        else:
            await self.push_frame(frame, direction)
