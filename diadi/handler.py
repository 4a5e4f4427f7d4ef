"""Django's ASGI handler with a bounded number of request threads."""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class BoundedASGIHandler(ASGIHandler):
    """Django's ASGI handler, with two changes for an application of synchronous views.

    Threads: Django starts a thread for each request's synchronous code (views, the ORM),
    however many requests arrive at once, and each such thread takes a database connection.
    Here `threads` threads, started once, serve every request: at most that many run at once
    and the others wait their turn, so a process never runs more request threads nor holds
    more connections for them (and starting two threads a request had cost about a fifth of
    the API's CPU per request).

    Middleware: Django runs an async-capable middleware's hooks on the event loop and hops
    to the request's thread for each synchronous hook (nearly all of them are), some two
    dozen hops a request, each waiting for a busy loop to get round to it. Here the
    middleware and the view run as under WSGI, in one call on the request's thread.
    """

    def __init__(self, threads: int) -> None:
        super().__init__()
        self._threads = threads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: asyncio.Queue[ThreadPoolExecutor] = asyncio.Queue()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    def _idle_threads(self) -> asyncio.Queue[ThreadPoolExecutor]:
        # A server has one loop; tests may call the application from several, one after the
        # other, and an asyncio queue belongs to one loop.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._idle = asyncio.Queue()
            for n in range(self._threads):
                self._idle.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"request-{n}")
                )
        return self._idle

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        idle = self._idle_threads()
        thread = await idle.get()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await super().__call__(scope, receive, send)
        finally:
            idle.put_nowait(thread)
