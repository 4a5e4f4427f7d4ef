"""Periodic jobs of facilitation, run by Celery beat (diadi/celery.py)."""

from celery import shared_task

from facilitation import services


@shared_task
def end_overdue_sessions_task() -> int:
    """Sessions whose time ran out a grace period ago end by themselves."""
    return services.end_overdue_sessions()
