"""Channel-layer sends from synchronous code, handed to the serving loop without waiting.

A request that pauses a session broadcasts the pause and tells the session's run; both are
channel-layer sends, which only the server's event loop can make. Waiting for them, as
`async_to_sync` does, held a request thread for a trip through that loop: at 500 live
sessions a kill switch waited 172 ms (p50) to 871 ms (p95) after its commit, and the request
threads answered a fraction of the pauses that arrived. Here the thread queues the send and
goes on; the loop makes each key's sends (a session's) one after the other, in the order they
were queued, so a session's events still leave in seq order.

What is queued is best effort, as every broadcast is: a process that stops loses the sends it
had not made, and clients catch up from the event log by seq, runs from the database.

Only a web server's loop is adopted, never a run host's: there the write rounds waiting for
their broadcasts is what keeps runs from writing faster than their loop can send. Queued
instead, at 500 sessions the sends fell 25 s behind (event delivery p95, against 0.9 s).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync

logger = logging.getLogger(__name__)

Send = Callable[[], Awaitable[None]]

_loop: asyncio.AbstractEventLoop | None = None
# The last send queued for each key, on the serving loop: the next one with that key waits for
# it; sends with other keys go side by side (a busy loop makes one await take long, and one
# line of sends for every session fell behind by half a minute at 500 sessions).
_last: dict[str, asyncio.Task] = {}


def adopt_running_loop() -> None:
    """Called on the serving loop: from now on sends from other threads are queued to it."""
    global _loop
    _loop = asyncio.get_running_loop()


def send(make: Send, key: str) -> None:
    """Makes the send `make()` returns, after every send queued before it with the same key."""
    send_all([(key, make)])


def send_all(sends: list[tuple[str, Send]]) -> None:
    """Makes each (key, send): queued to the serving loop when there is one (returns at once),
    else made here, side by side (returns when they are done: run hosts, commands, tests)."""
    loop = _loop  # read once: a test may adopt another loop meanwhile
    if loop is None or not loop.is_running():

        async def make_all() -> None:
            await asyncio.gather(*(_after(None, make) for _, make in sends))

        async_to_sync(make_all)()
    elif _running_loop() is loop:
        for key, make in sends:
            _queue(make, key)
    else:
        # Callbacks run in the order they were handed over: so do the sends of one key.
        for key, make in sends:
            loop.call_soon_threadsafe(_queue, make, key)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _queue(make: Send, key: str) -> None:
    task = asyncio.get_running_loop().create_task(_after(_last.get(key), make))
    _last[key] = task
    task.add_done_callback(partial(_forget, key))


async def _after(previous: asyncio.Task | None, make: Send) -> None:
    if previous is not None:
        await asyncio.wait([previous])  # its failure is its own, already logged
    try:
        await make()
    except Exception:
        logger.exception("A channel-layer send failed")


def _forget(key: str, task: asyncio.Task) -> None:
    if _last.get(key) is task:
        del _last[key]


class ServingLoop:
    """ASGI wrapper: the loop that serves the first connection becomes the outbox's loop."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if _loop is not asyncio.get_running_loop():
            adopt_running_loop()
        await self.app(scope, receive, send)
