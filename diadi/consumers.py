"""What Diadi's websocket consumers share."""

import contextlib
from typing import Any

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name


class DispatchWithoutDatabase:
    """Dispatches each message straight to its handler.

    Channels first closes old database connections, on its one database thread, before every
    message it dispatches: a thread hop per audio frame and per event per socket, which made
    that thread the busiest part of a Daphne process with a thousand sockets open. Diadi's
    handlers reach the database only through `database_sync_to_async`, which closes old
    connections around each call itself, so the hop bought nothing.

    A message that arrives while the browser is going (a broadcast meeting a socket that has
    just closed) is dropped: the socket's disconnect follows and tidies up.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        with contextlib.suppress(Disconnected):
            await handler(message)
