"""Django's ASGI handler with a bounded number of request threads."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class BoundedASGIHandler(ASGIHandler):
    """Django's ASGI handler, with two changes for an application of synchronous views.

    Threads: Django gives each request a thread of its own for its synchronous code (views,
    the ORM), however many requests arrive at once, and each such thread takes a database
    connection. Here at most `threads` requests run at once and the others wait their turn:
    a process never runs more request threads, nor holds more connections for them.

    Middleware: Django runs an async-capable middleware's hooks on the event loop and hops
    to the request's thread for each synchronous hook (nearly all of them are), some two
    dozen hops a request, each waiting for a busy loop to get round to it. Here the
    middleware and the view run as under WSGI, in one call on the request's thread.
    """

    def __init__(self, threads: int) -> None:
        super().__init__()
        self._threads = threads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._turns = asyncio.Semaphore(threads)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    def _turns_of_this_loop(self) -> asyncio.Semaphore:
        # A server has one loop; tests may call the application from several, one after the
        # other, and an asyncio semaphore belongs to one loop.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._turns = asyncio.Semaphore(self._threads)
        return self._turns

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        async with self._turns_of_this_loop():
            await super().__call__(scope, receive, send)
