"""Capacity: N live sessions at once, facilitated by ONE run-host worker process.

Production mode, as the Procfile runs it: the web server's Daphne processes serving the pages
and websockets, one Celery
worker of the `runs` queue hosting every facilitation run, PostgreSQL and Redis. Each session
plays a generated conversation of about 75 s in real time, has two events clients connected
(as its two people would), and has its kill switch pressed once (through the JSON API) and
released five seconds later.

    python bench/capacity.py                  # N = 10, 100, 500
    python bench/capacity.py --sessions 10

Printed per N: sessions facilitated to their end by the worker; clients that saw the end
live; tick lag p95 (how late an event is written after the session moment it belongs to);
event delivery p95 (written → received by a client); kill switch p95 (API call → its answer;
pause logged → reached its run, as the worker logs it; API call → `paused` at both clients,
and → the run's `ai_status: paused` at both clients, which shows the run acted on it); worker
RSS and CPU per session; how many cores the worker, Daphne, the benchmark's own clients and
the whole machine kept busy. Needs PostgreSQL and Redis
(DATABASE_URL / REDIS_URL, default: the local ones).
"""

import argparse
import asyncio
import json
import logging
import os
import random
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import production

LOG = production.ROOT / "var" / "bench-capacity.log"
CONVERSATION_S = 75
PAUSE_S = 5
# What a run logs when a pushed control reaches it (facilitation/runtime.py).
PAUSE_REACHED = re.compile(r"heard control \d+ \(session_state paused\) (\d+) ms after")


def _script(seed: int) -> dict:
    """A conversation of CONVERSATION_S seconds: turns of 2-12 s, one person a bit ahead."""
    rng = random.Random(seed)
    turns, at, speaker = [], 0.5, "a"
    while at < CONVERSATION_S - 3:
        length = rng.uniform(2, 12 if speaker == "a" else 7)
        end = min(at + length, CONVERSATION_S - 1)
        turns.append({"speaker": speaker, "start": round(at, 1), "end": round(end, 1), "text": ""})
        at, speaker = end + rng.uniform(0.2, 1.5), "b" if speaker == "a" else "a"
    return {
        "title": f"Capacity {seed}",
        "goal": "Agree on a monthly budget",
        "duration_minutes": 5,
        "participants": {"a": "Maya", "b": "David"},
        "turns": turns,
    }


def _prepare(count: int) -> tuple[list[str], str, str]:
    """`count` ready sessions of one user; their ids, a session cookie and an API token."""
    from rest_framework.authtoken.models import Token

    from sessions import services

    user = production.bench_user()
    spec = production.session_spec(5)
    ids = [services.create_demo_session(user, spec).public_id for _ in range(count)]
    token, _ = Token.objects.get_or_create(user=user)
    return ids, production.login_cookie(user), token.key


def _start_all(ids: list[str]) -> None:
    from facilitation import services
    from facilitation.simulation import Script
    from facilitation.sources import simulation_source
    from sessions.models import Session

    for n, public_id in enumerate(ids):
        session = Session.objects.get(public_id=public_id)
        source = simulation_source(Script.from_mapping(_script(n)), speed=1)
        services.start(session, None, source=source)


class Client:
    """One person's events socket: when each event arrived, and when it was paused."""

    def __init__(self) -> None:
        self.delivery_ms: list[float] = []
        self.paused_at: float | None = None
        self.ai_paused_at: float | None = None
        self.ended = False
        self.closed = False  # by the server, after the session ended or on a fault

    async def run(self, url: str, cookie: str, origin: str, ready: asyncio.Event) -> None:
        try:
            await self._listen(url, cookie, origin, ready)
        finally:
            self.closed = True

    async def _listen(self, url: str, cookie: str, origin: str, ready: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        async with connect(
            url, additional_headers={"Cookie": cookie}, origin=origin, open_timeout=120
        ) as ws:
            await ws.recv()  # the session_state snapshot
            ready.set()
            async for raw in ws:
                arrived = time.time()
                message = json.loads(raw)
                data = message.get("data", {})
                if "seq" in message and message.get("timestamp"):
                    stamp = message["timestamp"].replace("Z", "+00:00")
                    sent = datetime.fromisoformat(stamp).timestamp()
                    self.delivery_ms.append((arrived - sent) * 1000)
                if message["type"] == "session_state" and data.get("status") == "paused":
                    self.paused_at = self.paused_at or arrived
                if message["type"] == "ai_status" and data.get("status") == "paused":
                    self.ai_paused_at = self.ai_paused_at or arrived
                if message["type"] == "session_state" and data.get("status") == "ended":
                    self.ended = True
                    return


async def _kill_switch(http: Any, public_id: str, clients: list[Client]) -> tuple:
    await asyncio.sleep(random.uniform(20, 40))
    pressed = time.time()
    await http.post(f"/api/v1/sessions/{public_id}/pause")
    answered = (time.time() - pressed) * 1000
    await asyncio.sleep(PAUSE_S)
    await http.post(f"/api/v1/sessions/{public_id}/resume")
    shown = [c.paused_at for c in clients]
    heard = [c.ai_paused_at for c in clients]
    return (
        answered,
        (max(shown) - pressed) * 1000 if all(shown) else None,
        (max(heard) - pressed) * 1000 if all(heard) else None,
    )


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _machine_busy_s() -> float:
    """CPU seconds all cores spent busy so far (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _results(ids: list[str]) -> tuple[int, list[float]]:
    """Sessions facilitated to their end by the run, and every event's lateness (ms)."""
    from sessions.models import Session

    done, lag = 0, []
    for session in Session.objects.filter(public_id__in=ids):
        events = list(session.events.exclude(at_ms=None).filter(seq__gt=2))
        reasons = [e.data.get("reason") for e in events if e.type == "session_state"]
        if reasons and reasons[-1] == "conversation_finished":
            done += 1
        start = session.started_at.timestamp()
        lag += [
            (e.created_at.timestamp() - start - e.at_ms / 1000) * 1000
            for e in events
            if e.type in ("time_remaining", "balance_update", "ai_status")
        ]
    return done, lag


def _pauses_reached(log_from: int) -> list[float]:
    """How long each pause took from the log to its run, from the servers' log."""
    with open(LOG, "rb") as log:
        log.seek(log_from)
        return [float(ms) for ms in PAUSE_REACHED.findall(log.read().decode(errors="replace"))]


def _p(values: list[float], p: int) -> str:
    values = [v for v in values if v is not None]
    return f"{production.percentile(values, p):.0f}" if len(values) > 1 else "n/a"


def _busy(worker_pid: int, web_pids: list[int]) -> list[float]:
    """CPU seconds so far of the worker, the Daphne processes, these clients, and the machine."""
    return [
        production.cpu_seconds(worker_pid),
        production.cpu_seconds(*web_pids),
        production.cpu_seconds(os.getpid()),
        _machine_busy_s(),
    ]


async def _measure(port: int, worker_pid: int, web_pids: list[int], count: int) -> list[str]:
    import httpx

    ids, cookie, token = await asyncio.to_thread(_prepare, count)
    log_from = LOG.stat().st_size
    base = f"http://127.0.0.1:{port}"
    clients: dict[str, list[Client]] = {public_id: [Client(), Client()] for public_id in ids}
    tasks = []
    for start in range(0, count, 50):  # people arrive in waves
        waiting = []
        for public_id in ids[start : start + 50]:
            url = f"ws://127.0.0.1:{port}/ws/sessions/{public_id}/events/"
            for client in clients[public_id]:
                ready = asyncio.Event()
                tasks.append(asyncio.create_task(client.run(url, cookie, base, ready)))
                waiting.append(ready.wait())
        await asyncio.wait_for(asyncio.gather(*waiting), timeout=300)
    rss_before, cpu_before = _rss_kb(worker_pid), production.cpu_seconds(worker_pid)
    # Where the machine's time goes: the worker, Daphne, these clients, and everything.
    busy_before = _busy(worker_pid, web_pids)
    # One HTTP client for every kill switch: making one costs some 50 ms of this process's
    # loop (its TLS context), and 500 of them in the pause window kept the loop from reading
    # the sockets, which then measured this process's lag as the server's.
    http = httpx.AsyncClient(
        base_url=base,
        headers={"Authorization": f"Token {token}"},
        timeout=60,
        limits=httpx.Limits(max_connections=100),
    )
    started = time.monotonic()
    await asyncio.to_thread(_start_all, ids)
    switches = [
        asyncio.create_task(_kill_switch(http, public_id, clients[public_id])) for public_id in ids
    ]
    rss_peak = rss_before
    while not all(c.ended or c.closed for pair in clients.values() for c in pair):
        await asyncio.sleep(1)
        rss_peak = max(rss_peak, _rss_kb(worker_pid))
        if time.monotonic() - started > CONVERSATION_S + PAUSE_S + 300:
            break
    seconds = time.monotonic() - started
    cpu = production.cpu_seconds(worker_pid) - cpu_before
    busy_after = _busy(worker_pid, web_pids)
    cores = "/".join(
        f"{(after - before) / seconds:.2f}"
        for after, before in zip(busy_after, busy_before, strict=True)
    )
    pressed = await asyncio.gather(*switches)
    await http.aclose()
    for task in tasks:
        task.cancel()
    done, lag = await asyncio.to_thread(_results, ids)
    delivery = [ms for pair in clients.values() for c in pair for ms in c.delivery_ms]
    return [
        str(count),
        f"{done}",
        f"{sum(c.ended for pair in clients.values() for c in pair)}/{2 * count}",
        _p(lag, 95),
        _p(delivery, 95),
        _p([answered for answered, _, _ in pressed], 95),
        _p(_pauses_reached(log_from), 95),
        _p([shown for _, shown, _ in pressed], 95),
        _p([heard for _, _, heard in pressed], 95),
        f"{(rss_peak - rss_before) / count / 1024:.2f}",
        f"{cpu / count / seconds * 100:.2f}",
        cores,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 100, 500])
    args = parser.parse_args()
    production.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with production.Diadi(LOG) as diadi:
        columns = (
            "sessions",
            "facilitated",
            "clients saw the end",
            "tick lag p95 ms",
            "delivery p95 ms",
            "pause answered p95 ms",
            "pause reached run p95 ms",
            "pause shown p95 ms",
            "pause heard p95 ms",
            "RSS MB/session",
            "CPU %/session",
            "cores busy: worker/daphne/clients/all",
        )
        print(" | ".join(columns))
        for count in args.sessions:
            row = asyncio.run(_measure(diadi.port, diadi.worker.pid, diadi.web_pids(), count))
            print(
                " | ".join(
                    f"{value:>{len(name)}}" for value, name in zip(row, columns, strict=True)
                )
            )


if __name__ == "__main__":
    main()
