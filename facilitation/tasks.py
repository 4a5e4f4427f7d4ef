"""Celery tasks of production mode: one long task per live session, and the watchdog."""

import asyncio

from celery import shared_task

from facilitation.runners import restart_stale_runs
from facilitation.runtime import FacilitationRun


@shared_task(acks_late=True, ignore_result=True)
def run_facilitation(run_id: int, owner: str) -> None:
    asyncio.run(FacilitationRun(run_id, owner)())


@shared_task(ignore_result=True)
def watchdog() -> int:
    return restart_stale_runs()
