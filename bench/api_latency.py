"""JSON API latency: GET /api/v1/sessions/<id> with token auth, at 1, 10 and 50 clients.

As in production: the web server (WEB_PROCESSES Daphne processes) on PostgreSQL and Redis,
and this process holding C clients, each sending its next request as soon as its last one is
answered (keep-alive). Prints p50 / p95 / p99, errors (anything but a 200, or no answer), the
CPU time the Daphne processes spent per request (what the machine's load does not change), the
most PostgreSQL connections they held at once, and the load average the figures were taken
under.

    python bench/api_latency.py                  # 1, 10, 50 clients, 400 requests each
    python bench/api_latency.py --clients 10 --requests 1000

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default: the local ones).
"""

import argparse
import asyncio
import os
import threading
import time

import production

LOG = production.ROOT / "var" / "bench-api-latency.log"
# libpq names the server's connections so, and only those are counted.
APPLICATION_NAME = "diadi-bench-api"


def _session_and_token() -> tuple[str, str]:
    from rest_framework.authtoken.models import Token

    from sessions import services

    user = production.bench_user("bench-api")
    session, _ = services.create_session(user, production.session_spec(20))
    token, _ = Token.objects.get_or_create(user=user)
    return session.public_id, token.key


class ConnectionWatch:
    """Samples, every 20 ms, how many connections the Daphne processes hold to the database."""

    def __init__(self) -> None:
        import psycopg

        self._conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _count(self) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APPLICATION_NAME],
        ).fetchone()
        return row[0] if row else 0

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.most = max(self.most, self._count())

    def __enter__(self) -> "ConnectionWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._conn.close()


async def _measure(url: str, token: str, clients: int, requests: int) -> tuple[list[float], int]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    remaining = requests
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            try:
                async with http.get(url, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except (TimeoutError, aiohttp.ClientError):
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        # One request per client first: connections are opened, nothing is measured.
        await asyncio.gather(*(http.get(url, headers=headers) for _ in range(clients)))
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--requests", type=int, default=400, help="per number of clients")
    args = parser.parse_args()
    production.setup()
    public_id, token = _session_and_token()
    with production.Diadi(LOG, worker=False, env={"PGAPPNAME": APPLICATION_NAME}) as diadi:
        url = f"{diadi.base}/api/v1/sessions/{public_id}"
        web = diadi.web_pids()
        print(
            f"GET /api/v1/sessions/<id>, token auth: {len(web)} Daphne processes, "
            f"{os.cpu_count()} cores"
        )
        columns = ("clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
        print(" ".join(f"{name:>9}" for name in columns) + "    errors  cpu ms/req  db conns  load")
        for clients in args.clients:
            with ConnectionWatch() as watch:
                started, cpu = time.perf_counter(), production.cpu_seconds(*web)
                latencies, errors = asyncio.run(_measure(url, token, clients, args.requests))
                seconds = time.perf_counter() - started
                cpu = production.cpu_seconds(*web) - cpu
            row = (
                clients,
                len(latencies),
                f"{len(latencies) / seconds:.0f}",
                *(f"{production.percentile(latencies, p):.1f}" for p in (50, 95, 99)),
                f"{max(latencies):.1f}",
                errors,
                f"{cpu * 1000 / (len(latencies) + clients):.1f}",
                watch.most,
                f"{os.getloadavg()[0]:.2f}",
            )
            print(" ".join(f"{value:>9}" for value in row[:8]), f"{row[8]:>11}", *row[9:])


if __name__ == "__main__":
    main()
