"""The hub with 1,000 sessions: server time, SQL queries and page size.

One person with N sessions in every status (a fifth of them demos). Each request goes through
the whole Django stack (middleware, view, template, gzip) in this process, as Daphne would run
it, minus the network. Wall times (p50, p95, max) include waiting for a busy CPU; the CPU
times (median, p95) are the work itself.

    python bench/hub.py                  # 1,000 sessions, 200 requests per page
    python bench/hub.py --sessions 5000 --requests 100

Uses a fresh SQLite file in var/ unless DATABASE_URL is set (e.g. PostgreSQL).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = ROOT / "var" / "bench-hub.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DB}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")
sys.path.insert(0, str(ROOT))

STATUSES = ("draft", "pending_consent", "ready", "in_progress", "ended", "ended", "archived")


def _setup(sessions: int) -> None:
    if os.environ["DATABASE_URL"] == f"sqlite:///{BENCH_DB}":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_personas", verbosity=0)
    _fill(sessions)


def _fill(count: int) -> None:
    from accounts.models import User
    from personas.models import Persona
    from sessions.models import Participant, Role, Session

    User.objects.filter(username="bench").delete()
    user = User.objects.create_user("bench", "bench@example.com", "bench-pw-123", first_name="B")
    persona = Persona.objects.get(slug="neutral_mediator")
    sessions = Session.objects.bulk_create(
        Session(
            creator=user,
            title=f"Talk number {i}",
            goal=f"Agree on the plan for week {i} so that both of us feel heard",
            relationship_context="Co-founders",
            status=STATUSES[i % len(STATUSES)],
            persona=persona,
            is_demo=i % 5 == 0,
        )
        for i in range(count)
    )
    Participant.objects.bulk_create(
        participant
        for session in sessions
        for participant in (
            Participant(session=session, user=user, display_name="B", role=Role.CREATOR),
            Participant(session=session, display_name="Partner", role=Role.INVITEE),
        )
    )


def _measure(path: str, requests: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    queries = 0

    def count(
        execute: Callable[..., object], sql: str, params: object, many: bool, context: dict
    ) -> object:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    client = Client(HTTP_ACCEPT_ENCODING="gzip", HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="bench"))
    plain = Client(HTTP_HOST="localhost")
    plain.force_login(User.objects.get(username="bench"))
    for _ in range(5):  # warm caches, templates, connections
        client.get(path)
    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    timings, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    cpu.sort()
    return {
        "queries": queries,
        "cpu": statistics.median(cpu),
        "cpu95": cpu[int(len(cpu) * 0.95) - 1],
        "html_kb": len(plain.get(path).content) / 1024,
        "sent_kb": len(response.content) / 1024,
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "max": timings[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    _setup(args.sessions)
    from django.db import connection

    print(
        f"{args.sessions} sessions, {args.requests} requests per page, "
        f"{connection.vendor}, {os.cpu_count()} cores"
    )
    print(f"load average {os.getloadavg()[0]:.1f}: wall times grow with it, CPU time does not")
    print(
        f"{'page':>30} {'queries':>8} {'html KB':>8} {'gzip KB':>8} {'cpu ms':>7} {'cpu95':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    for path in ("/hub/", "/hub/sessions/", "/hub/sessions/?q=week+1&page=2"):
        f = _measure(path, args.requests)
        print(
            f"{path:>30} {f['queries']:>8} {f['html_kb']:>8.1f} {f['sent_kb']:>8.1f} "
            f"{f['cpu']:>7.1f} {f['cpu95']:>7.1f} "
            f"{f['p50']:>7.1f} {f['p95']:>7.1f} {f['max']:>7.1f}"
        )


if __name__ == "__main__":
    main()
