"""The one seam that decides where a facilitation run executes.

Embedded default: an asyncio task on the ASGI server's own event loop (the in-memory channel
layer only works there). Production (REDIS_URL set): a Celery task on a worker, never eager,
so starting a session never blocks the request that started it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Awaitable, Callable

from django.conf import settings

from facilitation.runtime import FacilitationRun

logger = logging.getLogger(__name__)

WATCHDOG_EVERY_S = 15.0

_loop: asyncio.AbstractEventLoop | None = None
_watchdog_task: asyncio.Task | None = None
_tasks: dict[int, asyncio.Task] = {}
_lock = threading.Lock()


def launch(run_id: int, owner: str) -> None:
    """Start (or restart) the run; returns at once."""
    if settings.USE_REDIS:
        from facilitation.tasks import run_facilitation

        run_facilitation.delay(run_id, owner)
        return
    _run_in_process(run_id, owner)


def _run_in_process(run_id: int, owner: str) -> None:
    # A fresh context: the caller is often a request thread inside asgiref's sync_to_async,
    # whose context variables would make the run's own database calls deadlock.
    context = contextvars.Context()
    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    loop = _loop if _loop is not None and _loop.is_running() else current
    if loop is None:
        # No server loop (a management command, a script): run on a thread of our own.
        threading.Thread(
            target=context.run,
            args=(asyncio.run, _logged(run_id, FacilitationRun(run_id, owner)())),
            daemon=True,
            name=f"run-{run_id}",
        ).start()
        return

    def spawn() -> None:
        coroutine = _logged(run_id, FacilitationRun(run_id, owner)())
        _keep(run_id, loop.create_task(coroutine, context=context))

    if loop is current:
        spawn()
    else:
        loop.call_soon_threadsafe(spawn)


def _keep(run_id: int, task: asyncio.Task) -> None:
    with _lock:
        _tasks[run_id] = task
    task.add_done_callback(lambda _: _forget(run_id, task))


def _forget(run_id: int, task: asyncio.Task) -> None:
    with _lock:
        if _tasks.get(run_id) is task:
            del _tasks[run_id]


async def _logged(run_id: int, coroutine: Awaitable[None]) -> None:
    try:
        await coroutine
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("Run %s stopped with an error; the watchdog will restart it", run_id)


def restart_stale_runs() -> int:
    """The watchdog's work: rebuild every run whose worker stopped beating."""
    from facilitation import store

    claimed = store.claim_stale_runs()
    for run_id, owner in claimed:
        logger.warning("Restarting facilitation run %s from its event log", run_id)
        launch(run_id, owner)
    return len(claimed)


async def _watchdog() -> None:
    from asgiref.sync import sync_to_async

    while True:
        await asyncio.sleep(WATCHDOG_EVERY_S)
        try:
            await sync_to_async(restart_stale_runs)()
        except Exception:
            logger.exception("Watchdog round failed")


def adopt_running_loop() -> None:
    """Host embedded runs on the caller's (the ASGI server's) loop, with a watchdog beside them."""
    global _loop, _watchdog_task
    if _loop is None and not settings.USE_REDIS:
        _loop = asyncio.get_running_loop()
        _watchdog_task = _loop.create_task(_watchdog())


class EmbeddedRuntime:
    """ASGI wrapper: the first request hands the server's loop to the embedded runner."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        adopt_running_loop()
        await self.app(scope, receive, send)


def running_in_process() -> list[int]:
    with _lock:
        return list(_tasks)
