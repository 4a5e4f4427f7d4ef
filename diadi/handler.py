"""Django's ASGI handler on a fixed set of threads."""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class BoundedASGIHandler(ASGIHandler):
    """Django's ASGI handler, with two changes for an application of synchronous views.

    Threads: Django gives each request a new thread for its synchronous code (views, the
    ORM), however many requests arrive at once, and each such thread takes a database
    connection of its own. Here a request borrows one of `threads` long-lived threads,
    waiting for one when all are busy: a process never runs more requests at once than it
    has threads, nor holds more connections than that for them.

    Middleware: Django runs an async-capable middleware's hooks on the event loop and hops
    to the request's thread for each synchronous hook (nearly all of them are), some two
    dozen hops a request, each waiting for a busy loop to get round to it. Here the
    middleware and the view run as under WSGI, in one call on the request's thread.
    """

    def __init__(self, threads: int) -> None:
        super().__init__()
        self._threads = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="request") for _ in range(threads)
        ]
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
            for thread in self._threads:
                self._idle.put_nowait(thread)
        return self._idle

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        idle = self._idle_threads()
        thread = await idle.get()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            idle.put_nowait(thread)
