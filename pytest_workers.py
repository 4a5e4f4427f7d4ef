"""A pytest plugin, loaded before Django's settings: each pytest-xdist worker gets a Redis
database of its own, as pytest-django gives it a test database of its own. Otherwise one
worker's Celery workers would take the runs of the other's sessions off the shared queue.

It lives outside the `diadi` package on purpose: importing that package loads the settings
(its Celery app reads them), which would be too late to change REDIS_URL."""

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default


def _own_database(url: str, worker: str) -> str:
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    index = (base + int(worker.removeprefix("gw"))) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{index}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_database(os.environ["REDIS_URL"], _worker)
