"""The Celery app: production mode runs facilitation and summaries on workers."""

import os

from celery import Celery
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
