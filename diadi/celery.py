"""The Celery app: production mode runs facilitation and summaries on workers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")

app = Celery("diadi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="periodic")

# Runs whose worker died are rebuilt from the event log (facilitation/runners.py); sessions
# whose time ran out a grace period ago end by themselves (facilitation/periodic.py).
app.conf.beat_schedule = {
    "facilitation-watchdog": {"task": "facilitation.tasks.watchdog", "schedule": 15.0},
    "end-overdue-sessions": {
        "task": "facilitation.periodic.end_overdue_sessions_task",
        "schedule": 15.0,
    },
}
