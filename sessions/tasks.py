"""Periodic jobs of sessions (diadi/celery.py schedules them)."""

from celery import shared_task

from sessions import services


@shared_task(ignore_result=True)
def expire_presence() -> int:
    """Sockets that stopped beating (their server was killed, say) stop counting as present."""
    return services.expire_presence()
