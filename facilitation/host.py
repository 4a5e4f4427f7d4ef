"""A run host: any number of live facilitation runs as asyncio tasks on one event loop.

Each process that facilitates has one: the Daphne process in the embedded default (on
Daphne's own loop, with the periodic jobs beside it), each Celery worker process of the
`runs` queue in production (on a loop of its own, in a thread, so no pool slot is held for a
session's length). A run sleeps between ticks and wakes early when its inbox has something.

What a host owns it holds through leases (facilitation/store.py): one heartbeat renews them
all, and a run whose lease was taken over is cancelled; its writes were refused anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections

from facilitation import store
from facilitation.engine import Event, Thresholds
from facilitation.engine.inputs import Classifier
from facilitation.inbox import run_group
from facilitation.runtime import LiveRun, RunClock
from facilitation.voice import voice_out_for

logger = logging.getLogger(__name__)

# Controls reach a run by push within milliseconds; this often the host reads what the
# channel layer lost, for every run it hosts in one go.
CONTROL_POLL_S = 5.0


def _with_connection(fn: Callable[..., Any], *args: Any) -> Any:
    # A long-lived thread: drop broken or expired connections before, give the connection
    # back (to the pool, when there is one) after.
    close_old_connections()
    try:
        return fn(*args)
    finally:
        close_old_connections()


class Writes:
    """The runs' writes, gathered: those that come while a round commits go together in the
    next one (store.write_many), so a busy host writes in fewer, larger transactions and an
    idle one at once."""

    ROUND = 200  # writes at most in one transaction

    def __init__(self, db: Callable[..., Any]) -> None:
        self._db = db
        self._waiting: list[tuple[store.Write, asyncio.Future]] = []
        self._rounds: asyncio.Task | None = None

    async def write(self, write: store.Write) -> list[Event]:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((write, done))
        if self._rounds is None or self._rounds.done():
            self._rounds = asyncio.create_task(self._commit_rounds())
        return await done

    async def _commit_rounds(self) -> None:
        while self._waiting:
            taken, self._waiting = self._waiting[: self.ROUND], self._waiting[self.ROUND :]
            try:
                results = await self._db(store.write_many, [write for write, _ in taken])
            except Exception as exc:
                results = [exc] * len(taken)
            for (_, done), result in zip(taken, results, strict=True):
                if done.done():
                    continue  # its run was cancelled meanwhile
                if isinstance(result, BaseException):
                    done.set_exception(result)
                else:
                    done.set_result(result)


class RunHost:
    def __init__(
        self,
        *,
        classifier: Classifier,
        thresholds: Thresholds | None = None,
        clock: Callable[[], RunClock] | None = None,
    ) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]
        self._classifier = classifier
        self._thresholds = thresholds or Thresholds(**settings.FACILITATION_THRESHOLDS)
        # Each run's clock follows its source's speed, unless one is given.
        self._clock = clock
        self._executor = ThreadPoolExecutor(
            max_workers=settings.RUN_DB_THREADS, thread_name_prefix="run-db"
        )
        self._writes = Writes(self.db)
        self._runs: dict[int, LiveRun] = {}
        self._tasks: dict[int, asyncio.Task] = {}
        self._by_session: dict[str, LiveRun] = {}
        self._channel = ""
        self._background: list[asyncio.Task] = []
        self._started = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking store function on one of this host's database threads."""
        call = sync_to_async(_with_connection, thread_sensitive=False, executor=self._executor)
        return await call(fn, *args)

    @property
    def run_ids(self) -> list[int]:
        return list(self._runs)

    # Life of the host -----------------------------------------------------------------------

    async def start(self, *, periodic: list[tuple[float, Callable[[], Any]]] = ()) -> None:
        """Start listening and beating; `periodic` jobs (interval s, function) run here too."""
        self.loop = asyncio.get_running_loop()
        self._channel = await get_channel_layer().new_channel("run-host.")
        self._background = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._catch_up()),
            *(asyncio.create_task(self._every(s, job)) for s, job in periodic),
        ]
        self._started.set()

    async def shutdown(self) -> None:
        """Stop every run and give the leases up, so the watchdog hands them out at once."""
        for task in [*self._background, *self._tasks.values()]:
            task.cancel()
        await asyncio.gather(*self._background, *self._tasks.values(), return_exceptions=True)
        await self.db(store.release, self.name)
        self._executor.shutdown(wait=False)

    def submit(self, run_id: int, token: str) -> None:
        """Adopt a handed-out run; callable from any thread, also before the host started
        (it then waits on the loop's queue)."""
        if self.loop is None:
            raise RuntimeError("the run host has no loop")
        asyncio.run_coroutine_threadsafe(self._adopt_when_started(run_id, token), self.loop)

    async def _adopt_when_started(self, run_id: int, token: str) -> None:
        await self._started.wait()
        await self.adopt(run_id, token)

    # Runs -----------------------------------------------------------------------------------

    async def adopt(self, run_id: int, token: str) -> bool:
        """Claim a handed-out run and start it; False when someone else got it first."""
        holder = await self.db(store.claim, run_id, token, self.name)
        if holder is None:
            return False
        ctx = await self.db(store.load, run_id, holder)
        if ctx is None:
            return False
        try:
            run = LiveRun(
                ctx,
                db=self.db,
                write=self._writes.write,
                thresholds=self._thresholds,
                classifier=self._classifier,
                clock=self._clock() if self._clock else None,
                voice=voice_out_for(ctx.source, ctx.public_id),
            )
        except Exception as exc:
            logger.exception("Facilitation run %s could not be rebuilt", run_id)
            await self.db(store.drop, run_id, holder, repr(exc))
            return False
        await get_channel_layer().group_add(run_group(ctx.public_id), self._channel)
        self._runs[run_id] = run
        self._by_session[ctx.public_id] = run
        self._tasks[run_id] = asyncio.create_task(self._host(run), name=f"run-{run_id}")
        return True

    async def join(self, run_id: int) -> None:
        """Wait for a run of this host to stop."""
        task = self._tasks.get(run_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def _host(self, run: LiveRun) -> None:
        ctx = run.ctx
        try:
            await run()
            await self.db(store.finish, ctx.run_id, ctx.holder)
        except store.LeaseLost:
            logger.info("Run %s stops: its session ended or another host holds it", ctx.run_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("Facilitation run %s failed", ctx.run_id)
            await self.db(store.drop, ctx.run_id, ctx.holder, repr(exc))
        finally:
            self._runs.pop(ctx.run_id, None)
            self._tasks.pop(ctx.run_id, None)
            self._by_session.pop(ctx.public_id, None)
            with contextlib.suppress(Exception):
                await get_channel_layer().group_discard(run_group(ctx.public_id), self._channel)

    # Background -----------------------------------------------------------------------------

    async def _listen(self) -> None:
        layer = get_channel_layer()
        while True:
            message = await layer.receive(self._channel)
            run = self._by_session.get(message.get("session", ""))
            if run is not None:
                run.deliver(message)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(settings.RUN_HEARTBEAT_SECONDS)
            # Only the runs asked about: one adopted while the renewal was on its way was not
            # asked about, and is held all the same.
            asked = self.run_ids
            try:
                held = await self.db(store.heartbeat, self.name, asked)
            except Exception:
                logger.exception("Run host %s could not renew its leases", self.name)
                continue
            for run_id in set(asked) - held:
                task = self._tasks.get(run_id)
                if task is not None:
                    logger.warning("Run %s was taken over by another host: stopping here", run_id)
                    task.cancel()

    async def _catch_up(self) -> None:
        while True:
            await asyncio.sleep(CONTROL_POLL_S)
            runs = [run for run in self._runs.values() if not run.stepped]
            if not runs:
                continue
            after = {run.ctx.session_pk: run.applied_seq for run in runs}
            try:
                logged = await self.db(store.controls_of_many, after)
            except Exception:
                logger.exception("Run host %s could not read its runs' controls", self.name)
                continue
            for run in runs:
                run.catch_up(logged[run.ctx.session_pk])

    async def _every(self, seconds: float, job: Callable[[], Any]) -> None:
        while True:
            try:
                await self.db(job)
            except Exception:
                logger.exception("Periodic job %s failed", getattr(job, "name", job))
            await asyncio.sleep(seconds)
