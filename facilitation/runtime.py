"""One facilitation run: a source feeds the engine, the engine's events go to the log.

The same loop runs as an asyncio task in the embedded default and inside a Celery task in
production (facilitation/runners.py decides). It never keeps anything that cannot be rebuilt
from the database: a run restarted by the watchdog resumes from the event log and segments.
"""

from __future__ import annotations

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings

from facilitation import store
from facilitation.engine import FacilitationEngine, ManualClock, Thresholds
from facilitation.simulation import TurnStarted, feed
from facilitation.sources import Source, build_source

logger = logging.getLogger(__name__)

# How often a run re-reads its session (status, settings): the kill switch reaches the run
# within this; the event log's row lock already keeps any prompt from landing after a pause.
REFRESH_EVERY_S = 1.0
HEARTBEAT_EVERY_S = 5.0
# A run with nobody ending it stops this long after the planned end of the session.
OVERTIME_MS = 30 * 60_000


class SessionClock:
    """Milliseconds on the session's clock: wall time since the start, times the source speed."""

    def __init__(self, started_wall: float, speed: float, tick_ms: int) -> None:
        self._started = started_wall
        self._speed = speed
        self._tick_s = tick_ms / 1000 / speed

    def now_ms(self) -> int:
        return int((time.time() - self._started) * 1000 * self._speed)

    async def pace(self) -> None:
        await asyncio.sleep(self._tick_s)


class SteppedClock(ManualClock):
    """Speed 0: the session clock jumps one tick per loop, as fast as the machine allows."""

    def __init__(self, start_ms: int, tick_ms: int) -> None:
        super().__init__(start_ms)
        self._tick_ms = tick_ms

    async def pace(self) -> None:
        self.advance(self._tick_ms)
        await asyncio.sleep(0)


def _resume_point(ctx: store.RunContext) -> int:
    ends = [end for _, _, end in ctx.segments] + [e.at_ms for e in ctx.past_events]
    return max(ends, default=0)


class FacilitationRun:
    def __init__(self, run_id: int, owner: str, *, thresholds: Thresholds | None = None) -> None:
        self.run_id = run_id
        self.owner = owner
        self.thresholds = thresholds or Thresholds(**settings.FACILITATION_THRESHOLDS)
        self._turn_started: dict[str, int] = {}

    async def __call__(self) -> None:
        ctx = await sync_to_async(store.load)(self.run_id, self.owner)
        if ctx is None:
            return
        try:
            await self._run(ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("Facilitation run %s failed", self.run_id)
            await sync_to_async(store.finish)(self.run_id, self.owner, error=repr(exc))
            raise
        await sync_to_async(store.finish)(self.run_id, self.owner)

    async def _run(self, ctx: store.RunContext) -> None:
        source = build_source(ctx.source)
        tick_ms = self.thresholds.tick_ms
        clock: SessionClock | SteppedClock = (
            SessionClock(ctx.started_at.timestamp(), source.speed, tick_ms)
            if source.speed > 0
            else SteppedClock(_resume_point(ctx), tick_ms)
        )
        engine = FacilitationEngine(
            participants=ctx.participants,
            duration_ms=ctx.duration_ms,
            clock=clock,
            goal=ctx.goal,
            templates=ctx.templates,
            thresholds=self.thresholds,
            toggles=ctx.state.toggles,
        )
        if ctx.past_events or ctx.segments:
            engine.restore(segments=ctx.segments, events=ctx.past_events, paused=ctx.state.paused)
            source.skip_until(clock.now_ms())
        elif ctx.state.paused:
            engine.pause()
        await self._loop(ctx, source, clock, engine, ctx.state)

    async def _loop(
        self,
        ctx: store.RunContext,
        source: Source,
        clock: SessionClock | SteppedClock,
        engine: FacilitationEngine,
        state: store.SessionState,
    ) -> None:
        next_refresh = next_heartbeat = time.monotonic()
        while True:
            now_wall = time.monotonic()
            # Stepped (speed 0) runs re-read every tick, so a pause lands on the session clock.
            if now_wall >= next_refresh or isinstance(clock, SteppedClock):
                next_refresh = now_wall + REFRESH_EVERY_S
                fresh = await sync_to_async(store.session_state)(ctx.session_pk)
                if fresh is None or not fresh.live:
                    return
                events = self._apply_state(engine, state, fresh)
                state = fresh
                await sync_to_async(store.persist)(ctx.session_pk, events)
            if now_wall >= next_heartbeat:
                next_heartbeat = now_wall + HEARTBEAT_EVERY_S
                if not await sync_to_async(store.heartbeat)(self.run_id, self.owner):
                    return  # the watchdog gave this run to another worker
            now_ms = clock.now_ms()
            await self._feed(ctx, source, engine, state, now_ms)
            await sync_to_async(store.persist)(ctx.session_pk, engine.tick())
            if source.finished(now_ms):
                await sync_to_async(store.end_session)(
                    ctx.session_pk, "conversation_finished", now_ms
                )
                return
            if now_ms > ctx.duration_ms + OVERTIME_MS:
                await sync_to_async(store.end_session)(ctx.session_pk, "time_limit", now_ms)
                return
            await clock.pace()

    @staticmethod
    def _apply_state(
        engine: FacilitationEngine, old: store.SessionState, new: store.SessionState
    ) -> list:
        events = []
        if new.toggles != old.toggles:
            events += engine.update_toggles(new.toggles)
        if new.paused and not old.paused:
            events += engine.pause()
        elif old.paused and not new.paused:
            events += engine.resume()
        return events

    async def _feed(
        self,
        ctx: store.RunContext,
        source: Source,
        engine: FacilitationEngine,
        state: store.SessionState,
        now_ms: int,
    ) -> None:
        ids = {"a": ctx.participants[0].id, "b": ctx.participants[1].id}
        for item in source.due(now_ms):
            feed(engine, item, participant_ids=ids, goal=ctx.goal)
            if isinstance(item, TurnStarted):
                self._turn_started[item.speaker] = item.at_ms
                continue
            started = self._turn_started.pop(item.speaker, item.at_ms)
            if state.paused:
                continue  # the facilitator is not listening: nothing is kept
            await sync_to_async(store.save_segment)(
                ctx.session_pk,
                ctx.participant_pks[ids[item.speaker]],
                started,
                item.at_ms,
                item.text,
                source.kind,
            )
