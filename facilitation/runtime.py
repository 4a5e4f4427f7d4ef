"""One facilitation run: its source and the live room's controls feed the engine (through a
Conductor, on the session's clock), and what the engine says goes to the event log.

A run lives as an asyncio task in a RunHost (facilitation/host.py) beside many others. It
keeps nothing that cannot be rebuilt from the database: each write records the inputs it
fed and how far it got, so a run taken over by another worker replays them and continues
exactly where this one stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from facilitation import inbox, store
from facilitation.engine import LIVE_SWITCHES, Event, Thresholds
from facilitation.engine.conductor import Conductor, Fed
from facilitation.engine.engine import DISCONNECTED, LISTENING, MUTED
from facilitation.engine.inputs import (
    Classifier,
    Input,
    MicrophoneChanged,
    Paused,
    Resumed,
    SpeakersSwapped,
    SpeechStarted,
    SpeechStopped,
    TalkInput,
    TogglesChanged,
    with_signals,
)
from facilitation.sources import build_source
from facilitation.voice import SILENT, VoiceOut
from sessions.events import SESSION_STATE, SETTINGS_CHANGED, SPEAKERS_SWAPPED
from sessions.models import Status

if TYPE_CHECKING:
    from facilitation.audio.listener import SessionListener

logger = logging.getLogger(__name__)

# Runs a blocking store function on one of the host's database threads.
Db = Callable[..., Awaitable[Any]]
# Writes a run's batch together with its host's other runs (host.Writes): the events written.
Writer = Callable[[store.Write], Awaitable[list[Event]]]

MICROPHONE_MESSAGES = (inbox.AUDIO, inbox.MUTE, inbox.AUDIO_STREAM)
# A run with nobody ending it stops this long after the planned end of the session.
OVERTIME_MS = 30 * 60_000
STATUS_PAUSED = str(Status.PAUSED)
STATUS_LIVE = str(Status.IN_PROGRESS)


class RunClock(Protocol):
    """Where a run is on its session's clock, and how it waits for the next tick."""

    def target_ms(self, played_ms: int) -> int:
        """How far the run plays on this step (it has played up to `played_ms`)."""
        ...

    def session_ms(self, wall_s: float) -> int | None:
        """The session time of a wall-clock moment; None when the clock is not the wall's."""
        ...

    async def wait(self, next_tick_ms: int, wake: asyncio.Event) -> None: ...


class SessionClock:
    """A conversation in (a multiple of) real time: wall time since the start, times the
    rate; between ticks the run sleeps unless its inbox wakes it."""

    def __init__(self, started_at_s: float, rate: float) -> None:
        self._started = started_at_s
        self._rate = rate

    def target_ms(self, played_ms: int) -> int:
        return self.session_ms(time.time())

    def session_ms(self, wall_s: float) -> int:
        return max(0, int((wall_s - self._started) * 1000 * self._rate))

    async def wait(self, next_tick_ms: int, wake: asyncio.Event) -> None:
        delay = max(0.0, self._started + next_tick_ms / 1000 / self._rate - time.time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=delay)
        wake.clear()


class SteppedClock:
    """A script played as fast as possible: each step plays the next `step_ms` of session."""

    step_ms = 5_000

    def target_ms(self, played_ms: int) -> int:
        return max(0, played_ms + self.step_ms)

    def session_ms(self, wall_s: float) -> None:
        return None

    async def wait(self, next_tick_ms: int, wake: asyncio.Event) -> None:
        wake.clear()
        await asyncio.sleep(0)


class TurnRecorder:
    """Finished utterances, from the speech inputs fed while the facilitator listened."""

    def __init__(self, participant_ids: tuple[str, str]) -> None:
        self._open: dict[str, int] = {}
        self._paused = False
        first, second = participant_ids
        self._other = {first: second, second: first}

    def consume(self, fed: list[Fed]) -> list[store.Segment]:
        segments = []
        for fed_ms, item in fed:
            if isinstance(item, Paused):
                # The words of a turn cut by the kill switch are not kept.
                segments += [store.Segment(pid, start, fed_ms) for pid, start in self._open.items()]
                self._open.clear()
                self._paused = True
            elif isinstance(item, Resumed):
                self._paused = False
            elif isinstance(item, SpeakersSwapped):
                # Finished speech is swapped where it is kept (facilitation.services).
                self._open = {self._other[pid]: start for pid, start in self._open.items()}
            elif isinstance(item, MicrophoneChanged) and item.participant_id in self._open:
                if item.status != LISTENING:
                    start = self._open.pop(item.participant_id)
                    segments.append(store.Segment(item.participant_id, start, max(start, fed_ms)))
            elif isinstance(item, SpeechStarted) and not self._paused:
                self._open.setdefault(item.participant_id, item.at_ms)
            elif isinstance(item, SpeechStopped) and item.participant_id in self._open:
                start = self._open.pop(item.participant_id)
                end = max(start, item.at_ms)
                segments.append(store.Segment(item.participant_id, start, end, item.text))
        return segments


class LiveRun:
    def __init__(
        self,
        ctx: store.RunContext,
        *,
        db: Db,
        write: Writer,
        thresholds: Thresholds,
        classifier: Classifier,
        clock: RunClock | None = None,
        voice: VoiceOut = SILENT,
    ) -> None:
        self.ctx = ctx
        self._db = db
        self._write = write
        self._voice = voice
        self._classifier = classifier
        ids = (ctx.participants[0].id, ctx.participants[1].id)
        self._participant_ids = ids
        self._source = build_source(ctx.source, ids)
        self._source.skip(ctx.source_position)
        self._clock = clock or (
            SessionClock(ctx.started_at_s, self._source.speed)
            if self._source.speed
            else SteppedClock()
        )
        self._conductor = Conductor.for_session(
            participants=ctx.participants,
            duration_ms=ctx.duration_ms,
            goal=ctx.goal,
            templates=ctx.templates,
            thresholds=thresholds,
            toggles=ctx.toggles_at_start,
        )
        self._toggles = ctx.toggles_at_start
        self._recorder = TurnRecorder(ids)
        # Rebuild what the previous holder of the lease had done (nothing on a first start).
        self._conductor.replay(ctx.fed, ctx.played_ms)
        self._recorder.consume(ctx.fed)
        self._paused = False
        for _, item in ctx.fed:
            if isinstance(item, TogglesChanged):
                self._toggles = item.toggles
            elif isinstance(item, Paused | Resumed):
                self._paused = isinstance(item, Paused)
        self._kept = len(ctx.fed)
        ctx.fed = []  # replayed: a long session's inputs need not stay in memory
        self._applied_seq = ctx.applied_seq
        self._controls: list[store.Control] = []
        self._wake = asyncio.Event()
        self._over = False
        self._ending: str | None = None
        # The browser room: each person's microphone, heard by a listening pipeline.
        self._listener: SessionListener | None = None
        self._audio: asyncio.Queue[tuple[dict, int]] = asyncio.Queue()

    @property
    def public_id(self) -> str:
        return self.ctx.public_id

    @property
    def stepped(self) -> bool:
        """Played as fast as possible: controls are read at every step, not only pushed."""
        return isinstance(self._clock, SteppedClock)

    # From the host --------------------------------------------------------------------------

    @property
    def applied_seq(self) -> int:
        """The seq of the last control this run applied."""
        return self._applied_seq

    def catch_up(self, controls: list[store.Control] | None) -> None:
        """Controls logged that the host read for it (None: the session is gone)."""
        if controls is None:
            self._over = True
            self._wake.set()
        elif controls:
            self._controls += controls
            self._wake.set()

    def deliver(self, message: dict) -> None:
        """A message from the run's inbox (facilitation/inbox.py)."""
        if message.get("deleted"):
            self._over = True
        elif "control" in message:
            control = store.Control(**message["control"])
            self._controls.append(control)
            self._log_push(control, message.get("logged_at"))
        elif message.get("type") == inbox.SPEECH:
            self._hear(message)
        elif message.get("type") in MICROPHONE_MESSAGES and self._source.listens:
            self._microphone(message)
            return
        self._wake.set()

    def _log_push(self, control: store.Control, logged_at: float | None) -> None:
        # How long pushes take, for operators and bench/capacity.py (which reads these lines).
        if isinstance(logged_at, float):
            status = control.data.get("status")
            logger.info(
                "Run %s heard control %s (%s) %.0f ms after it was logged",
                self.ctx.run_id,
                control.seq,
                f"{control.type} {status}" if status else control.type,
                (time.time() - logged_at) * 1000,
            )

    def _microphone(self, message: dict) -> None:
        """Audio and microphone changes of one person, in the order their socket sent them."""
        kind, participant = message["type"], message.get("participant")
        if participant not in self._participant_ids:
            return
        if kind == inbox.AUDIO and self._paused:
            return  # the facilitator is not listening: the audio is not even looked at
        at = self._session_now()
        if kind != inbox.AUDIO:
            if kind == inbox.MUTE:
                status = MUTED if message.get("muted") else LISTENING
            else:
                status = LISTENING if message.get("connected") else DISCONNECTED
            self._conductor.add([MicrophoneChanged(at, participant, status)])
            self._wake.set()  # the other person sees it at once
        self._audio.put_nowait((message, at))

    def _session_now(self) -> int:
        at = self._clock.session_ms(time.time())
        return self._conductor.now_ms if at is None else at

    def _hear(self, message: dict) -> None:
        participant = message.get("participant")
        if participant not in self._participant_ids:
            return
        at = self._clock.session_ms(float(message["at"]))
        at = self._conductor.now_ms if at is None else at
        speech = SpeechStarted if message.get("speaking") else SpeechStopped
        self._conductor.add([speech(at, participant)])

    async def __call__(self) -> None:
        try:
            await self._run()
        finally:
            self._voice.stop()

    async def _run(self) -> None:
        await self._catch_up_controls()
        if not self._source.listens:
            await self._play()
            return
        await self._start_listening()
        hearing = asyncio.create_task(self._hear_microphones(), name=f"hear-{self.public_id}")
        try:
            await self._play()
        finally:
            hearing.cancel()
            await self._listener.stop()

    async def _play(self) -> None:
        # Controls are pushed; those the channel layer loses the host reads for all its runs
        # at once (RunHost._catch_up). Played as fast as possible, no push could keep up.
        while not self._over:
            if self.stepped:
                await self._catch_up_controls()
            await self._step()
            if self._ending is not None:
                await self._end()
                return
            await self._clock.wait(self._conductor.next_tick_ms, self._wake)

    # The browser room's microphones ---------------------------------------------------------

    async def _start_listening(self) -> None:
        # Imported here: only runs of the browser room load the listening pipeline.
        from facilitation.audio.listener import SessionListener
        from facilitation.audio_consumer import announce_audio_sockets

        self._listener = SessionListener(self._participant_ids, self._on_talk)
        await self._listener.start()
        # Sockets opened before this run (a run taken over) say again who streams.
        await announce_audio_sockets(self._participant_ids)

    async def _hear_microphones(self) -> None:
        while True:
            message, at = await self._audio.get()
            await self._listener.deliver(message, at)

    async def _on_talk(self, talk: TalkInput) -> None:
        self._conductor.add([talk])
        self._wake.set()  # people see who speaks as soon as it is heard

    # One step -------------------------------------------------------------------------------

    async def _step(self) -> None:
        target = self._clock.target_ms(self._conductor.played_ms)
        end = self._source.end_ms
        if end is not None and target >= end:
            target, self._ending = end, "conversation_finished"
        elif target > self.ctx.duration_ms + OVERTIME_MS:
            self._ending = "time_limit"
        self._conductor.add(self._control_inputs(target))
        if self._listener is not None:
            await self._listener.expire(target)
        speech = self._source.due(target)
        self._conductor.add(with_signals(speech, self._classifier, self.ctx.goal))
        events = self._conductor.play_until(target)
        fed = self._conductor.take_fed()
        batch = store.Batch(
            events=events,
            fed=fed,
            segments=self._recorder.consume(fed),
            played_ms=self._conductor.played_ms,
            source_position=self._source.position,
            applied_seq=self._applied_seq,
            first_input=self._kept,
        )
        if batch:
            ctx = self.ctx
            written = await self._write(
                store.Write(ctx.run_id, ctx.holder, ctx.session_pk, batch, self._source.kind)
            )
            self._kept += len(fed)
            self._voice.hand(written)  # never a prompt the kill switch stopped

    async def _end(self) -> None:
        await self._db(
            store.end_session,
            self.ctx.run_id,
            self.ctx.holder,
            self.ctx.session_pk,
            self._ending,
            self._conductor.now_ms,
        )

    # Controls -------------------------------------------------------------------------------

    async def _catch_up_controls(self) -> None:
        self.catch_up(await self._db(store.controls_since, self.ctx.session_pk, self._applied_seq))

    def _control_inputs(self, now_ms: int) -> list[Input]:
        """The controls logged since the last step, in log order, once each."""
        inputs: list[Input] = []
        for control in sorted(self._controls, key=lambda c: c.seq):
            if control.seq <= self._applied_seq:
                continue
            self._applied_seq = control.seq
            at = now_ms if control.at_ms is None else min(control.at_ms, now_ms)
            if control.type == SETTINGS_CHANGED:
                live = {
                    s.name: control.data[s.wire]
                    for s in LIVE_SWITCHES
                    if isinstance(control.data.get(s.wire), bool)
                }
                self._toggles = replace(self._toggles, **live)
                inputs.append(TogglesChanged(at, self._toggles))
            elif control.type == SESSION_STATE:
                inputs += self._status_inputs(control.data, at)
            elif control.type == SPEAKERS_SWAPPED:
                inputs.append(SpeakersSwapped(at))
        self._controls.clear()
        return inputs

    def _status_inputs(self, data: dict, at: int) -> list[Input]:
        status = data.get("status")
        if status != STATUS_LIVE:
            self._voice.stop()  # paused or over: silence at once
        if status == STATUS_PAUSED:
            self._paused = True
            return [Paused(at)]
        if status == STATUS_LIVE and data.get("previousStatus") == STATUS_PAUSED:
            self._paused = False
            return [Resumed(at)]
        if status not in (STATUS_PAUSED, STATUS_LIVE):
            self._over = True  # ended, archived: what was said so far is written, then stop
        return []
