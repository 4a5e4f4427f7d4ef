"""Channel-layer sends from request threads are queued to the serving loop: the thread goes
on at once, the loop makes one session's sends in the order they were queued, and a slow send
of one session holds up no other session's."""

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


def _held_until(release: threading.Event, made: list[str], name: str):
    async def send() -> None:
        # The loop waits (without blocking) until the test lets this send finish.
        while not release.is_set():
            await asyncio.sleep(0.01)
        made.append(name)

    return send


def _quick(made: list[str], name: str):
    async def send() -> None:
        made.append(name)

    return send


def test_a_thread_queues_its_sends_and_goes_on_and_a_sessions_sends_keep_their_order(
    serving_loop,
):
    release = threading.Event()
    made: list[str] = []
    # Were send() to wait for the send, it would return only once this timer let it finish.
    threading.Timer(1.0, release.set).start()
    outbox.send(_held_until(release, made, "paused"), "session.maya")
    outbox.send(_quick(made, "ai_status"), "session.maya")
    outbox.send(_quick(made, "time_remaining"), "session.maya")
    # send() returned while the first send still waits: nothing has been made yet.
    assert made == []
    assert wait_for(lambda: len(made) == 3, seconds=5)
    assert made == ["paused", "ai_status", "time_remaining"]


def test_a_slow_send_holds_up_no_other_sessions_sends(serving_loop):
    release = threading.Event()
    made: list[str] = []
    outbox.send(_held_until(release, made, "maya paused"), "session.maya")
    outbox.send(_quick(made, "david paused"), "session.david")
    assert wait_for(lambda: made, seconds=5)
    assert made == ["david paused"]
    release.set()
    assert wait_for(lambda: len(made) == 2, seconds=5)


def test_a_failed_send_is_logged_and_the_next_ones_still_go(serving_loop, caplog):
    made: list[str] = []

    async def failing() -> None:
        raise ConnectionError("Redis went away")

    outbox.send(failing, "session.maya")
    outbox.send(_quick(made, "next"), "session.maya")
    assert wait_for(lambda: made, seconds=5)
    assert made == ["next"]
    assert "A channel-layer send failed" in caplog.text


def test_without_a_serving_loop_the_send_is_made_before_returning(monkeypatch):
    monkeypatch.setattr(outbox, "_loop", None)
    made: list[str] = []

    async def send() -> None:
        await asyncio.sleep(0.01)
        made.append("sent")

    outbox.send(send, "session.maya")
    assert made == ["sent"]
