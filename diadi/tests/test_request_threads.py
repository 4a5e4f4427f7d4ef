"""A Daphne process runs at most WEB_THREADS requests at once, on WEB_THREADS threads that
last; the others wait their turn, and each request's middleware and view run in one call on
its thread."""

import asyncio
import threading
import time

import pytest
from asgiref.testing import ApplicationCommunicator
from django.http import HttpRequest, HttpResponse
from django.urls import path

from diadi.handler import BoundedASGIHandler

# Requests open and close database connections (request_started / request_finished).
pytestmark = pytest.mark.django_db(transaction=True)


class Crowd:
    """How many requests were inside the view at once, and on which threads."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def view(self, request: HttpRequest) -> HttpResponse:
        with self._lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.threads.add(threading.current_thread().name)
        time.sleep(0.05)
        with self._lock:
            self.inside -= 1
        return HttpResponse("ok")


crowd = Crowd()
urlpatterns = [path("slow/", crowd.view)]


async def _get(app: BoundedASGIHandler) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/slow/",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=30)
    await communicator.receive_output(timeout=30)  # the body
    await communicator.wait(timeout=30)
    return start["status"]


@pytest.mark.urls(__name__)
async def test_no_more_requests_run_at_once_than_there_are_threads():
    app = BoundedASGIHandler(threads=2)
    statuses = await asyncio.gather(*(_get(app) for _ in range(12)))
    assert statuses == [200] * 12
    assert crowd.most == 2
    # The same two threads served all twelve: none is started per request.
    assert len(crowd.threads) == 2


@pytest.mark.urls(__name__)
def test_the_middleware_runs_on_the_requests_thread_as_one_call():
    app = BoundedASGIHandler(threads=1)
    # Django's own handler adapts each async-capable middleware to the event loop; this one
    # is the synchronous chain, entered once from the loop.
    assert not asyncio.iscoroutinefunction(app._middleware_chain.func)
