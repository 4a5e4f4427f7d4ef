"""Channel-layer sends from request threads are queued to the serving loop: the thread goes
on at once, and the loop makes the sends in the order they were queued."""

import asyncio
import threading
from collections.abc import Iterator

import pytest

from conftest import wait_for
from diadi import outbox


@pytest.fixture
def serving_loop(monkeypatch) -> Iterator[asyncio.AbstractEventLoop]:
    """A loop in a thread of its own, as Daphne's is, adopted by the outbox."""
    monkeypatch.setattr(outbox, "_loop", None)
    monkeypatch.setattr(outbox, "_queue", None)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(_adopt(), loop).result(timeout=5)
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


async def _adopt() -> None:
    outbox.adopt_running_loop()


def test_a_thread_queues_its_sends_and_goes_on(serving_loop):
    release = threading.Event()
    made: list[str] = []

    async def slow() -> None:
        # The loop waits (without blocking) until the test lets this send finish.
        while not release.is_set():
            await asyncio.sleep(0.01)
        made.append("pause")

    async def quick(name: str) -> None:
        made.append(name)

    # Were send() to wait for the send, it would return only once this timer let it finish.
    threading.Timer(1.0, release.set).start()
    outbox.send(slow)
    outbox.send(lambda: quick("ai_status"))
    outbox.send(lambda: quick("run control"))
    # send() returned while the first send still waits: nothing has been made yet.
    assert made == []
    assert wait_for(lambda: len(made) == 3, seconds=5)
    assert made == ["pause", "ai_status", "run control"]


def test_a_failed_send_is_logged_and_the_next_ones_still_go(serving_loop, caplog):
    made: list[str] = []

    async def failing() -> None:
        raise ConnectionError("Redis went away")

    async def quick() -> None:
        made.append("next")

    outbox.send(failing)
    outbox.send(quick)
    assert wait_for(lambda: made, seconds=5)
    assert made == ["next"]
    assert "A queued channel-layer send failed" in caplog.text


def test_without_a_serving_loop_the_send_is_made_before_returning(monkeypatch):
    monkeypatch.setattr(outbox, "_loop", None)
    monkeypatch.setattr(outbox, "_queue", None)
    made: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0.01)
        made.append("sent")

    outbox.send(quick)
    assert made == ["sent"]
