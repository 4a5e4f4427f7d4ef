"""The one seam that decides where a facilitation run executes.

Embedded default: the run host on the Daphne process's own loop (the in-memory channel layer
only works there), mounted when the ASGI application loads, with the periodic jobs of the
beat schedule (the watchdog among them) running beside the runs. Production (REDIS_URL set):
a Celery task on the `runs` queue hands the run to the run host of whichever worker process
takes it, and returns; the host keeps the run for the session's length.

A run is always handed out first (a token on its FacilitationRun) and then claimed by a
host: a hand-out delivered twice, or claimed by two hosts, starts one run.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

from facilitation import store
from facilitation.engine import classify
from facilitation.host import RunHost

logger = logging.getLogger(__name__)

_host: RunHost | None = None
_lock = threading.Lock()
_starting: set[asyncio.Future] = set()


def _embedded_host() -> RunHost | None:
    """This process's run host, if it has one on a loop that still runs."""
    host = _host
    if host is None or host.loop is None or host.loop.is_closed():
        return None
    return host


def launch(run_id: int, token: str) -> None:
    """Hand the run out to a host; returns at once."""
    if settings.USE_REDIS:
        from facilitation.tasks import host_run

        host_run.delay(run_id, token)
        return
    host = _embedded_host()
    if host is not None:
        host.submit(run_id, token)
    # Otherwise (a management command) the embedded server's watchdog adopts the hand-out.


def restart_stale_runs() -> int:
    """The watchdog's work: hand out again every run whose host stopped beating, and, in the
    embedded default, every hand-out still waiting for a host (one made by a command)."""
    handed_out = store.stale_runs()
    if not settings.USE_REDIS and _embedded_host() is not None:
        handed_out += store.unclaimed_runs()
    for run_id, token in handed_out:
        logger.warning("Handing out facilitation run %s again", run_id)
        launch(run_id, token)
    return len(handed_out)


def new_host() -> RunHost:
    return RunHost(classifier=classify)


def _periodic_jobs() -> list[tuple[float, Callable[[], Any]]]:
    """The beat schedule's jobs, for the embedded default where no beat runs."""
    from diadi.celery import app

    app.loader.import_default_modules()
    return [
        (float(entry["schedule"]), app.tasks[entry["task"]])
        for entry in app.conf.beat_schedule.values()
    ]


def mount_embedded(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Start this process's run host on the server's loop (the running one, or `loop` once
    it runs). Called by the ASGI application; does nothing in production mode."""
    global _host
    if settings.USE_REDIS:
        return
    with _lock:
        if _embedded_host() is not None:
            return
        _host = host = new_host()
        # Known from now on, so runs handed out before the host starts wait for it.
        host.loop = loop or asyncio.get_running_loop()

    def start() -> None:
        # Kept until done: the loop holds only a weak reference to a task.
        task = asyncio.ensure_future(host.start(periodic=_periodic_jobs()))
        _starting.add(task)
        task.add_done_callback(_starting.discard)

    if loop is None:
        start()
    else:
        loop.call_soon_threadsafe(start)


def mount_with_server() -> None:
    """Under Daphne the application loads before its loop runs: start the host as the loop
    starts, not at the first request, so runs left by a previous process resume at once."""
    daphne_server = sys.modules.get("daphne.server")
    if daphne_server is not None and not settings.USE_REDIS:
        mount_embedded(daphne_server.twisted_loop)


class EmbeddedRuntime:
    """ASGI wrapper: whichever server runs Diadi, its loop hosts the embedded runs."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if _embedded_host() is None:
            mount_embedded()
        await self.app(scope, receive, send)


def process_host() -> RunHost:
    """Production: this worker process's run host, on a loop of its own in a thread."""
    global _host
    with _lock:
        if _host is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="run-host", daemon=True).start()
            host = new_host()
            asyncio.run_coroutine_threadsafe(host.start(), loop).result(timeout=30)
            _host = host
        return _host


def shutdown_process_host(timeout: float = 10.0) -> None:
    """A worker going away gives its runs up for others to take at once."""
    host = _host
    if host is not None and host.loop is not None and host.loop.is_running():
        future = asyncio.run_coroutine_threadsafe(host.shutdown(), host.loop)
        try:
            future.result(timeout=timeout)
        except Exception:
            logger.exception("Run host %s did not shut down cleanly", host.name)
