"""A session's listening pipeline: each person's microphone in, talk inputs out.

    listener = SessionListener(["p-maya", "p-david"], on_talk)
    await listener.start()
    await listener.push("p-maya", pcm, at_ms)      # 16 kHz s16le mono, any length
    await listener.set_muted("p-maya", True)        # closes what Maya was saying
    await listener.set_connected("p-david", False)  # likewise; his next audio starts afresh
    await listener.expire(now_ms)                   # now and then: streams that went quiet
    await listener.stop()

or, for the messages the audio socket sends a run (facilitation.inbox), simply
`await listener.deliver(message, now_ms)`.

`on_talk` receives SpeechStarted / SpeechStopped (facilitation.engine.inputs) in order per
person, already back-dated to when the speech started or ended on the session's clock.

Inside, one Pipecat pipeline runs on the caller's event loop:

    ParallelPipeline(
        [ParticipantGate(a), VADProcessor(InlineSileroVADAnalyzer), TalkProcessor(a)],
        [ParticipantGate(b), VADProcessor(InlineSileroVADAnalyzer), TalkProcessor(b)],
    ) → TalkSink(on_talk)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from loguru import logger
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.pipeline.parallel_pipeline import ParallelPipeline
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.workers.runner import WorkerRunner

from facilitation import inbox
from facilitation.engine.inputs import TalkInput

from .pcm import SAMPLE_RATE
from .processors import (
    HeardFrame,
    ParticipantAudioFrame,
    ParticipantGate,
    TalkProcessor,
    TalkSink,
)
from .streams import WINDOW_MS, ParticipantStream, Window
from .vad import InlineSileroVADAnalyzer

# A turn goes on through the short pauses between sentences; it ends after 0.8 s of quiet.
# The loudness gate is smoothed over windows: at Pipecat's 0.6 it opens some 190 ms into
# speech and a short first word ("Yes,") goes unheard, so here it only turns away what is
# next to silence (0.4 is about -70 LUFS, where loudness measurement itself stops).
DEFAULT_VAD_PARAMS = VADParams(confidence=0.7, start_secs=0.2, stop_secs=0.8, min_volume=0.4)
# The detector announces speech now and then while it lasts; nothing here uses that.
_NEVER_S = 365 * 24 * 3600.0


def _to_logging(message: object) -> None:
    record = message.record  # type: ignore[attr-defined]
    logging.getLogger(record["name"] or "pipecat").log(record["level"].no, record["message"])


# Pipecat logs every pipeline's life at DEBUG through loguru, straight to stderr; here its
# warnings and errors go through Python logging (Diadi's LOGGING setting) and the rest is
# dropped.
logger.remove()
logger.add(_to_logging, level="WARNING", format="{message}")


class SessionListener:
    def __init__(
        self,
        participant_ids: Sequence[str],
        on_talk: Callable[[TalkInput], Awaitable[None]],
        *,
        vad_params: VADParams = DEFAULT_VAD_PARAMS,
    ) -> None:
        if len(set(participant_ids)) != len(participant_ids) or not participant_ids:
            raise ValueError("a listener needs distinct participant ids")
        self._streams = {participant_id: ParticipantStream() for participant_id in participant_ids}
        # Enough quiet after a stream's last audio for the detector to end what it heard.
        self._closing_windows = math.ceil(vad_params.stop_secs * 1000 / WINDOW_MS) + 1
        branches = [
            [
                ParticipantGate(participant_id),
                VADProcessor(
                    vad_analyzer=InlineSileroVADAnalyzer(
                        sample_rate=SAMPLE_RATE, params=vad_params
                    ),
                    speech_activity_period=_NEVER_S,
                    # Quiet streams are closed on the session's clock (expire), not the wall's.
                    audio_idle_timeout=0,
                ),
                TalkProcessor(participant_id),
            ]
            for participant_id in participant_ids
        ]
        self._worker = PipelineWorker(
            Pipeline([ParallelPipeline(*branches), TalkSink(on_talk)]),
            params=PipelineParams(audio_in_sample_rate=SAMPLE_RATE),
            idle_timeout_secs=None,
            enable_rtvi=False,
            enable_turn_tracking=False,
        )
        self._runner: WorkerRunner | None = None
        self._running: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Starts the pipeline on the running loop; returns once it takes audio."""
        started = asyncio.Event()

        @self._worker.event_handler("on_pipeline_started")
        async def on_started(_worker: PipelineWorker, _frame: object) -> None:
            started.set()

        self._runner = WorkerRunner(handle_sigint=False)
        await self._runner.add_workers(self._worker)
        self._running = asyncio.create_task(self._runner.run(), name="session-listener")
        waiting = asyncio.create_task(started.wait())
        await asyncio.wait({waiting, self._running}, return_when=asyncio.FIRST_COMPLETED)
        if not started.is_set():
            waiting.cancel()
            raise RuntimeError("the listening pipeline did not start")

    async def deliver(self, message: Mapping[str, Any], at_ms: float) -> None:
        """One message of the run's inbox from an audio socket (facilitation.audio_consumer),
        received at `at_ms` on the session's clock. Others, and strangers' audio, are ignored."""
        participant_id = message.get("participant")
        if participant_id not in self._streams:
            return
        if message["type"] == inbox.AUDIO:
            await self.push(participant_id, message["pcm"], at_ms)
        elif message["type"] == inbox.MUTE:
            await self.set_muted(participant_id, bool(message["muted"]))
        elif message["type"] == inbox.AUDIO_STREAM:
            await self.set_connected(participant_id, bool(message["connected"]))

    async def push(self, participant_id: str, pcm: bytes, at_ms: float) -> None:
        """Audio of one person whose last sample arrived at `at_ms` on the session's clock.
        Audio of a muted person is dropped unheard."""
        stream = self._streams[participant_id]
        if stream.muted or not pcm:
            return
        if stream.lost_audio_before(pcm, at_ms):
            await self._queue(participant_id, stream.close(self._closing_windows))
        await self._queue(participant_id, stream.add(pcm, at_ms))

    async def set_muted(self, participant_id: str, muted: bool) -> None:
        stream = self._streams[participant_id]
        stream.muted = muted
        if muted:
            await self._queue(participant_id, stream.close(self._closing_windows))

    async def set_connected(self, participant_id: str, connected: bool) -> None:
        """A person's audio socket opened or closed. A new socket is a new stream: whatever
        the old one was saying ended where its audio ended, and nothing is counted twice."""
        stream = self._streams[participant_id]
        await self._queue(participant_id, stream.close(self._closing_windows))

    async def expire(self, now_ms: float) -> None:
        """Closes the streams of people whose audio stopped coming without a word."""
        for participant_id, stream in self._streams.items():
            if stream.idle(now_ms):
                await self._queue(participant_id, stream.close(self._closing_windows))

    async def drain(self) -> None:
        """Waits until everything pushed so far was heard and its talk inputs handed on."""
        loop = asyncio.get_running_loop()
        marks = [HeardFrame(user_id=pid, heard=loop.create_future()) for pid in self._streams]
        for mark in marks:
            await self._worker.queue_frame(mark)
        await asyncio.gather(*(mark.heard for mark in marks))

    async def stop(self) -> None:
        """Ends what anyone was saying, hands on the last talk inputs, stops the pipeline."""
        if self._running is None:
            return
        for participant_id, stream in self._streams.items():
            await self._queue(participant_id, stream.close(self._closing_windows))
        await self._worker.stop_when_done()
        try:
            await asyncio.wait_for(asyncio.shield(self._running), timeout=30.0)
        except TimeoutError:
            assert self._runner is not None
            await self._runner.cancel("the listening pipeline did not stop in time")
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
        self._running = None

    async def _queue(self, participant_id: str, windows: list[Window]) -> None:
        for window in windows:
            await self._worker.queue_frame(
                ParticipantAudioFrame(
                    audio=window.pcm,
                    sample_rate=SAMPLE_RATE,
                    num_channels=1,
                    user_id=participant_id,
                    end_ms=window.end_ms,
                    heard_ms=window.heard_ms,
                )
            )
