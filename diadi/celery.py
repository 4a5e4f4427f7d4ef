"""The Celery app: production mode runs facilitation and summaries on workers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")

app = Celery("diadi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Runs whose worker died are rebuilt from the event log (facilitation/runners.py); recaps
# whose maker died are handed to a new one; transcripts and recaps past RETENTION_DAYS go.
app.conf.beat_schedule = {
    "facilitation-watchdog": {"task": "facilitation.tasks.watchdog", "schedule": 15.0},
    "summaries-sweep": {"task": "summaries.tasks.sweep", "schedule": 60.0},
    "summaries-retention": {"task": "summaries.tasks.purge_expired", "schedule": 3600.0},
}
