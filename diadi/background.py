"""Background work that is not a live run (making a recap, say): never done in the request.

Production (REDIS_URL set): a Celery task on a worker. Embedded default: the task's function
on a daemon thread of this process. When the caller runs under the ASGI server (a view, a
facilitation run), the thread is started from the server's event loop, so that what the work
broadcasts through the in-memory channel layer wakes that loop's websockets at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any) -> None:
    """Run a Celery task (`@shared_task`) soon, elsewhere; returns at once."""
    if settings.USE_REDIS:
        task.delay(*args)
        return
    loop = _server_loop()
    if loop is None:
        _DAEMON_THREADS.submit(_run, task, args)
        return
    # A fresh context: the caller's asgiref context would tie the work to its thread.
    loop.call_soon_threadsafe(
        lambda: loop.create_task(
            sync_to_async(_run, thread_sensitive=False, executor=_DAEMON_THREADS)(task, args),
            context=contextvars.Context(),
        )
    )


def _run(task: Any, args: tuple) -> None:
    try:
        task(*args)
    except Exception:
        logger.exception("Background task %s%r failed", getattr(task, "name", task), args)
    finally:
        connections.close_all()  # this thread's own connections


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop serving this process's websockets, if the caller runs under one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    # From a thread that sync_to_async started, async_to_sync runs on the server's loop; from
    # any other thread it runs on a loop of its own, closed again by the time it returns.
    loop = async_to_sync(_running_loop)()
    return loop if loop.is_running() else None


class _DaemonThreadExecutor(Executor):
    """One daemon thread per job: a process that stops never waits for background work
    (a recap cut short is picked up again by the sweep)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=work, daemon=True, name="background").start()
        return future


_DAEMON_THREADS = _DaemonThreadExecutor()
