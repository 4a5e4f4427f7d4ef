"""The Celery app: production mode runs facilitation and summaries on workers."""

import os

from celery import Celery
from celery.signals import worker_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")

app = Celery("diadi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="periodic")
app.autodiscover_tasks(["facilitation.meetings"])

# Periodic jobs. In the embedded default no beat runs: the run host runs this same schedule
# in its own process (facilitation/runners.py).
app.conf.beat_schedule = {
    # Runs whose host died are rebuilt elsewhere from what they kept (facilitation/store.py).
    "facilitation-watchdog": {
        "task": "facilitation.tasks.watchdog",
        "schedule": settings.RUN_WATCHDOG_SECONDS,
    },
    # Presence of people whose sockets died without a goodbye (sessions/services/presence.py).
    "sessions-expire-presence": {"task": "sessions.tasks.expire_presence", "schedule": 30.0},
    # Sessions whose time ran out a grace period ago end by themselves (facilitation/periodic.py).
    "end-overdue-sessions": {
        "task": "facilitation.periodic.end_overdue_sessions_task",
        "schedule": 15.0,
    },
    # Recaps whose maker died are handed to a new one (summaries/making.py).
    "summaries-sweep": {"task": "summaries.tasks.sweep", "schedule": 60.0},
    # Transcripts and recaps past RETENTION_DAYS are deleted (summaries/retention.py).
    "summaries-retention": {"task": "summaries.tasks.purge_expired", "schedule": 3600.0},
    # Facilitator bots on their way into a call: joining, waiting room, in the call.
    "meeting-bots-poll": {
        "task": "facilitation.meetings.tasks.poll_meeting_bots",
        "schedule": settings.MEETING_BOT_POLL_SECONDS,
    },
}


@worker_init.connect
def _threads_within_the_database_pool(sender: object, **kwargs: object) -> None:
    """A worker of the thread pool (the `runs` queue's) runs its tasks and its run host's
    database work on threads that share the process's pool of connections: with more
    threads than connections, some would wait DB_POOL_TIMEOUT and fail. Refuse to start
    (Celery only logs what a signal handler raises, so exit)."""
    pool = getattr(sender, "pool_cls", "")
    name = pool if isinstance(pool, str) else f"{pool.__module__}.{pool.__name__}"
    if "thread" not in name.lower() or "pool" not in settings.DATABASES["default"].get(
        "OPTIONS", {}
    ):
        return
    threads = int(getattr(sender, "concurrency", 0) or 0) + settings.RUN_DB_THREADS
    if threads > settings.DB_POOL_MAX_SIZE:
        raise SystemExit(
            f"This worker would run {threads} database threads (--concurrency plus "
            f"RUN_DB_THREADS) on a pool of DB_POOL_MAX_SIZE={settings.DB_POOL_MAX_SIZE}: "
            "lower one or raise the pool."
        )
