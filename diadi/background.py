"""Work that is not a live run, off the request: a Celery task with Redis, else a daemon
thread calling the task's own function (the embedded default has no worker)."""

import logging
import threading
from typing import Any

from celery import Task
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any) -> None:
    if settings.USE_REDIS:
        task.delay(*args)
        return

    def work() -> None:
        try:
            task.run(*args)
        except Exception:
            logger.exception("Background task %s failed", task.name)
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"background-{task.name}", daemon=True).start()
