"""Celery tasks of production mode: hand a run to this worker's run host, and the watchdog."""

import asyncio

from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutting_down

from facilitation import runners

# How long a hand-out may take (claim, load, rebuild) before the task gives up on it; the
# run is then handed out again by the watchdog.
ADOPT_TIMEOUT_S = 60


@shared_task(ignore_result=True)
def host_run(run_id: int, token: str) -> bool:
    """Returns as soon as the run lives in this process's host: no pool slot is held for
    the session's length. A second delivery finds the token taken and does nothing."""
    host = runners.process_host()
    future = asyncio.run_coroutine_threadsafe(host.adopt(run_id, token), host.loop)
    return future.result(timeout=ADOPT_TIMEOUT_S)


@shared_task(ignore_result=True)
def watchdog() -> int:
    return runners.restart_stale_runs()


@worker_shutting_down.connect
@worker_process_shutdown.connect
def _give_runs_up(**kwargs: object) -> None:
    runners.shutdown_process_host()
