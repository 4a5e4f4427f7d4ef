"""Celery tasks of the recap: making one (queued when a session ends), and the periodic jobs."""

from celery import shared_task

from summaries import making, retention


@shared_task(acks_late=True, ignore_result=True)
def make_summary(summary_pk: int) -> None:
    making.make(summary_pk)


@shared_task(ignore_result=True)
def sweep() -> int:
    return making.sweep()


@shared_task(ignore_result=True)
def purge_expired() -> int:
    return retention.purge_expired()
