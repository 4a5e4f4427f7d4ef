"""Event latency: from a facilitation run writing an event to every websocket client having it.

As in production: Daphne serving the events websocket, a `runs` worker hosting the session's
facilitation run (which `simulate_session` hands out, as any started session's), and this
process holding N websocket clients. Redis carries the broadcast, PostgreSQL the log.

    python bench/event_latency.py            # N = 2, 100, 1000
    python bench/event_latency.py --clients 2 10

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default: the local ones). Latency is
measured from each event's timestamp, stamped when the run writes it, to its arrival.
"""

import argparse
import asyncio
import json
import sys
import time
from datetime import datetime

import production

ROOT = production.ROOT
SCRIPT = ROOT / "facilitation" / "simulations" / "balanced.yaml"
LOG = ROOT / "var" / "bench-event-latency.log"


def _session_and_cookie() -> tuple[str, str]:
    from sessions import services

    user = production.bench_user()
    session = services.create_demo_session(user, production.session_spec(20))
    return session.public_id, production.login_cookie(user)


async def _client(
    url: str, cookie: str, origin: str, ready: asyncio.Event, latencies: list[float]
) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        url, additional_headers={"Cookie": cookie}, origin=origin, open_timeout=60
    ) as ws:
        await ws.recv()  # the session_state snapshot
        ready.set()
        async for raw in ws:
            arrived = time.time()
            message = json.loads(raw)
            if "seq" in message and message.get("timestamp"):
                sent = datetime.fromisoformat(
                    message["timestamp"].replace("Z", "+00:00")
                ).timestamp()
                latencies.append((arrived - sent) * 1000)
            if message["type"] == "session_state" and message["data"].get("status") == "ended":
                return


async def _measure(port: int, clients: int, speed: float) -> tuple[list[float], int, float]:
    public_id, cookie = await asyncio.to_thread(_session_and_cookie)
    url = f"ws://127.0.0.1:{port}/ws/sessions/{public_id}/events/"
    origin = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    tasks, events = [], []
    for start in range(0, clients, 50):  # connect in waves, as people arrive
        batch = []
        for _ in range(start, min(start + 50, clients)):
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(_client(url, cookie, origin, ready, latencies)))
            batch.append(ready.wait())
        await asyncio.wait_for(asyncio.gather(*batch), timeout=120)
    run = await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        "simulate_session",
        "--script",
        str(SCRIPT),
        f"--session={public_id}",
        "--speed",
        str(speed),
        "--json",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    started = time.monotonic()
    output, _ = await run.communicate()
    seconds = time.monotonic() - started
    events = output.decode().splitlines()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=600)
    return latencies, len(events), seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[2, 100, 1000])
    parser.add_argument(
        "--speed",
        type=float,
        default=20.0,
        help="simulation speed (default 20x: about 7 events a second, 20 times a real session)",
    )
    args = parser.parse_args()
    production.setup()
    with production.Diadi(LOG) as diadi:
        print(
            f"event latency, run -> Redis -> Daphne -> websocket ({SCRIPT.name} at {args.speed:g}x)"
        )
        columns = ("clients", "events", "deliveries", "offered/s", "p50 ms", "p95 ms", "p99 ms")
        print(" ".join(f"{name:>10}" for name in columns) + "     max ms")
        for clients in args.clients:
            latencies, events, seconds = asyncio.run(_measure(diadi.port, clients, args.speed))
            row = (
                clients,
                events,
                len(latencies),
                f"{events * clients / seconds:.0f}",
                *(f"{production.percentile(latencies, p):.1f}" for p in (50, 95, 99)),
                f"{max(latencies):.1f}",
            )
            print(" ".join(f"{value:>10}" for value in row))


if __name__ == "__main__":
    main()
