"""What the production-mode benchmarks share: the local PostgreSQL and Redis, a migrated
database, and Diadi's processes started as the Procfile starts them.

Import it first: it sets the environment (DATABASE_URL / REDIS_URL default to the local
services, a database of the benchmarks' own) before Django is loaded.
"""

import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/diadi_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")
os.environ["DEBUG"] = "1"
sys.path.insert(0, str(ROOT))

# The Procfile's `runs` worker: it hosts every facilitation run.
RUNS_WORKER = ("--queues=runs", "--pool=threads", "--concurrency=4", "--loglevel=INFO")


def setup() -> None:
    """The benchmarks' database, created if missing, migrated, with the personas; and room
    for a few thousand sockets."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_personas", verbosity=0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def cpu_seconds(*pids: int) -> float:
    """CPU time (user + system) the processes have used so far, together."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def bench_user(username: str = "bench") -> Any:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Bench"}
    )
    return user


def session_spec(duration_minutes: int) -> Any:
    """What the benchmarks' sessions are about: Maya and David agreeing on a budget."""
    from personas.services import get_active_persona
    from sessions import services

    return services.NewSession(
        creator_name="Maya",
        partner_name="David",
        relationship_context="Benchmark",
        goal="Agree on a monthly budget",
        persona=get_active_persona("neutral_mediator"),
        duration_minutes=duration_minutes,
    )


def login_cookie(user: Any) -> str:
    """The Cookie header of a browser in which `user` logged in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class Diadi:
    """The web server (WEB_PROCESSES Daphne processes) on a free port and a `runs` worker,
    logging to `log`, for a `with` block.
    `worker=False` leaves the worker out (the JSON API needs none); `env` is added to the
    servers' environment."""

    def __init__(
        self, log: Path, *, worker: bool = True, env: dict[str, str] | None = None
    ) -> None:
        self.log_path = log
        self.with_worker = worker
        self.env = {**os.environ, **(env or {})}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Diadi":
        self._log = open(self.log_path, "w")
        print(f"Servers' log: {self.log_path}; {os.cpu_count()} cores")
        self.web = self._start("diadi.web", "-b", "127.0.0.1", "-p", str(self.port))
        self.processes = [self.web]
        if self.with_worker:
            self.worker = self._start("celery", "-A", "diadi", "worker", *RUNS_WORKER)
            self.processes.append(self.worker)
        deadline = time.monotonic() + 180  # a loaded machine can take a minute to start it
        while time.monotonic() < deadline and self.web.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"Daphne did not start: see {self.log_path}")
        if self.with_worker:
            time.sleep(3)  # the worker connects to the broker
        return self

    def web_pids(self) -> list[int]:
        """The Daphne processes serving (the web server's children)."""
        with open(f"/proc/{self.web.pid}/task/{self.web.pid}/children") as children:
            return [int(pid) for pid in children.read().split()]

    def _start(self, *command: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=self._log,
        )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for process in self.processes:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self._log.close()
