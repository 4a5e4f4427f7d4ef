"""What Diadi's websocket consumers share."""

import contextlib
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.conf import settings

P = ParamSpec("P")
R = TypeVar("R")

# The sockets' database work (who is asking, presence, catching up from the log) runs on
# these threads side by side. On Channels' one database thread, a presence change waiting
# for its session's row lock (held by a round of the runs' writes) held up every other
# socket of the process behind it: at 500 sessions that thread was never idle.
_socket_threads = ThreadPoolExecutor(
    max_workers=settings.SOCKET_DB_THREADS, thread_name_prefix="socket-db"
)


def on_database(fn: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`fn` as a coroutine, run on one of the sockets' database threads; the connection
    goes back to the pool after each call, as Channels' `database_sync_to_async` does."""
    return database_sync_to_async(fn, thread_sensitive=False, executor=_socket_threads)


class DispatchWithoutDatabase:
    """Dispatches each message straight to its handler.

    Channels first closes old database connections, on its one database thread, before every
    message it dispatches: a thread hop per audio frame and per event per socket, which made
    that thread the busiest part of a Daphne process with a thousand sockets open. Diadi's
    handlers reach the database only through `on_database`, which closes old connections
    around each call itself, so the hop bought nothing.

    A message that arrives while the browser is going (a broadcast meeting a socket that has
    just closed) is dropped: the socket's disconnect follows and tidies up.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        with contextlib.suppress(Disconnected):
            await handler(message)
