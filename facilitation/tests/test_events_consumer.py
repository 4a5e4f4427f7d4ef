import asyncio

import pytest
from asgiref.sync import sync_to_async

from facilitation.tests.socket_support import close_code as _close_code
from facilitation.tests.socket_support import open_socket
from sessions import services
from sessions.events import record_event
from sessions.models import SessionEvent, new_public_id
from sessions.state import Action, transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _connect(session, *, user=None, keys=None, after=None):
    path = f"/ws/sessions/{session.public_id}/events/"
    if after is not None:
        path += f"?after={after}"
    return await open_socket(path, user=user, keys=keys)


async def _next(communicator, type_):
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == type_:
            return message


@pytest.fixture
def ready_session(make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    return session


async def test_anonymous_is_closed_with_4001(ready_session):
    communicator = await _connect(ready_session)
    assert await _close_code(communicator) == 4001


async def test_an_outsider_is_closed_with_4004(ready_session, outsider):
    communicator = await _connect(ready_session, user=outsider)
    assert await _close_code(communicator) == 4004


async def test_an_unknown_session_is_closed_with_4004(ready_session, creator):
    ready_session.public_id = new_public_id()
    communicator = await _connect(ready_session, user=creator)
    assert await _close_code(communicator) == 4004


async def test_a_participant_first_gets_the_session_state(ready_session, creator):
    communicator = await _connect(ready_session, user=creator)
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "session_state"
    assert message["data"]["status"] == "ready"
    assert message["data"]["lastSeq"] == ready_session.last_event_seq
    assert [p["name"] for p in message["data"]["participants"]] == ["Maya", "David"]
    assert message["data"]["settings"] == {
        "sentimentDetection": True,
        "tensionMonitoring": True,
        "facilitatedPrompts": True,
    }
    await communicator.disconnect()


async def test_a_guest_invitee_connects_with_the_browser_key(make_session):
    session, token = await sync_to_async(make_session)()
    session, _, secret = await sync_to_async(services.answer_invitation)(
        token, consented=True, invitee_name="David"
    )
    communicator = await _connect(session, keys={session.public_id: secret})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "session_state"
    await communicator.disconnect()
    wrong = await _connect(session, keys={session.public_id: "guess"})
    assert await _close_code(wrong) == 4004


async def test_after_replays_exactly_what_was_missed_in_order(ready_session, creator):
    for n in range(5):
        await sync_to_async(record_event)(
            ready_session.pk, "time_remaining", {"minutes": n, "seconds": 0}
        )
    seqs = [
        seq
        async for seq in SessionEvent.objects.filter(session=ready_session)
        .order_by("seq")
        .values_list("seq", flat=True)
    ]
    communicator = await _connect(ready_session, user=creator, after=seqs[-4])
    assert (await communicator.receive_json_from(timeout=3))["type"] == "session_state"
    replayed = [await communicator.receive_json_from(timeout=3) for _ in range(3)]
    assert [m["seq"] for m in replayed] == seqs[-3:]
    assert [m["data"]["minutes"] for m in replayed] == [2, 3, 4]
    await communicator.disconnect()


async def test_live_events_arrive_once_with_their_seq(ready_session, creator):
    communicator = await _connect(ready_session, user=creator, after=0)
    await _next(communicator, "session_state")
    await sync_to_async(transition)(ready_session, Action.START)
    message = await _next(communicator, "session_state")
    while message["data"].get("status") != "in_progress":
        message = await _next(communicator, "session_state")
    assert message["seq"] > 0 and message["data"]["previousStatus"] == "ready"
    await communicator.disconnect()


async def test_ping_gets_pong(ready_session, creator):
    communicator = await _connect(ready_session, user=creator)
    await communicator.send_json_to({"type": "ping"})
    assert await _next(communicator, "pong") == {"type": "pong"}
    await communicator.disconnect()


async def test_joining_and_leaving_are_announced(ready_session, creator, invitee_user):
    watcher = await _connect(ready_session, user=invitee_user)
    joined = await _next(watcher, "participant_status")  # David himself joined
    creator_socket = await _connect(ready_session, user=creator)
    joined = await _next(watcher, "participant_status")
    maya = await ready_session.participants.aget(role="creator")
    assert joined["data"] == {"participantId": maya.public_id, "status": "joined"}
    await creator_socket.disconnect()
    left = await _next(watcher, "participant_status")
    assert left["data"] == {"participantId": maya.public_id, "status": "disconnected"}
    await watcher.disconnect()


async def test_an_ended_session_sends_its_state_then_closes_with_4003(ready_session, creator):
    for action in (Action.START, Action.END):
        await sync_to_async(transition)(ready_session, action)
    communicator = await _connect(ready_session, user=creator)
    state = await communicator.receive_json_from(timeout=3)
    assert state["data"]["status"] == "ended"
    assert await _close_code(communicator) == 4003


async def test_update_settings_is_persisted_and_broadcast(ready_session, creator):
    communicator = await _connect(ready_session, user=creator)
    await _next(communicator, "session_state")
    await communicator.send_json_to(
        {"type": "update_settings", "data": {"tensionMonitoring": False}}
    )
    changed = await _next(communicator, "settings_changed")
    assert changed["data"]["tensionMonitoring"] is False
    await ready_session.arefresh_from_db()
    assert ready_session.tension_monitoring is False
    await communicator.disconnect()


@pytest.mark.parametrize(
    "message",
    [
        {"type": "update_settings", "data": {"volume": True}},
        {"type": "update_settings", "data": {"tensionMonitoring": "yes"}},
        {"type": "update_settings", "data": {}},
        {"type": "intervention_ack", "data": {"interventionId": "int_1", "action": "liked"}},
        {"type": "dance"},
        {"no": "type"},
        ["a", "list"],
    ],
)
async def test_bad_messages_get_an_error_and_change_nothing(ready_session, creator, message):
    communicator = await _connect(ready_session, user=creator)
    await _next(communicator, "session_state")
    before = ready_session.last_event_seq
    await communicator.send_json_to(message)
    error = await _next(communicator, "error")
    assert error["data"]["code"]
    await ready_session.arefresh_from_db()
    assert ready_session.last_event_seq - before <= 1  # only the participant's own "joined"
    assert ready_session.tension_monitoring is True
    await communicator.disconnect()


async def test_invalid_json_gets_an_error(ready_session, creator):
    communicator = await _connect(ready_session, user=creator)
    await _next(communicator, "session_state")
    await communicator.send_to(text_data="{not json")
    assert (await _next(communicator, "error"))["data"]["code"] == "INVALID_MESSAGE"
    await communicator.disconnect()


async def test_intervention_acks_are_persisted(ready_session, creator):
    await sync_to_async(record_event)(
        ready_session.pk,
        "intervention",
        {
            "id": "int_1",
            "type": "balance",
            "modality": "visual",
            "message": "m",
            "targetParticipant": None,
        },
    )
    communicator = await _connect(ready_session, user=creator)
    await _next(communicator, "session_state")
    await communicator.send_json_to(
        {"type": "intervention_ack", "data": {"interventionId": "int_9", "action": "dismissed"}}
    )
    assert (await _next(communicator, "error"))["data"]["code"] == "UNKNOWN_INTERVENTION"
    await communicator.send_json_to(
        {"type": "intervention_ack", "data": {"interventionId": "int_1", "action": "followed"}}
    )
    ack = await _next(communicator, "intervention_ack")
    assert ack["data"]["interventionId"] == "int_1" and ack["data"]["action"] == "followed"
    assert (
        await SessionEvent.objects.filter(session=ready_session, type="intervention_ack").acount()
        == 1
    )
    await communicator.disconnect()


async def test_a_client_that_reconnects_gets_every_missed_event_once_in_order(
    make_session, creator
):
    from facilitation import runners
    from facilitation import services as facilitation
    from facilitation.models import FacilitationRun
    from facilitation.simulation import load_script
    from facilitation.sources import SIMULATIONS_DIR, simulation_source

    session, _ = await sync_to_async(make_session)(consented=True)
    script = load_script(SIMULATIONS_DIR / "one_sided.yaml")
    host = runners.new_host()
    await host.start()
    await sync_to_async(facilitation.start)(
        session, None, source=simulation_source(script, speed=300), host=host.name
    )
    run = await FacilitationRun.objects.aget(session=session)
    received = []
    first = await _connect(session, user=creator, after=0)
    await _next(first, "session_state")
    assert await host.adopt(run.pk, run.owner)
    while len(received) < 25:
        message = await first.receive_json_from(timeout=5)
        if "seq" in message:
            received.append(message)
    await first.disconnect()  # the network drops mid-session...
    await asyncio.sleep(0.3)  # ...while the conversation goes on
    second = await _connect(session, user=creator, after=received[-1]["seq"])
    await _next(second, "session_state")
    while True:
        message = await second.receive_json_from(timeout=10)
        if "seq" in message:
            received.append(message)
        if message.get("data", {}).get("status") == "ended":
            break
    await host.join(run.pk)
    await host.shutdown()
    logged = [e async for e in SessionEvent.objects.filter(session=session).order_by("seq")]
    seqs = [m["seq"] for m in received]
    assert seqs == [e.seq for e in logged]  # all of them, each once, in order
    assert [m["data"] for m in received] == [e.data for e in logged]
    assert any(m["type"] == "intervention" for m in received[25:])


async def test_a_lost_broadcast_is_filled_from_the_log(ready_session, creator, monkeypatch):
    from sessions import events

    communicator = await _connect(ready_session, user=creator)
    await _next(communicator, "session_state")
    await _next(communicator, "participant_status")  # Maya joined
    before = (await SessionEvent.objects.filter(session=ready_session).alast()).seq
    sent = events.broadcast_all

    def lose_the_second(messages):
        sent([(public_id, m) for public_id, m in messages if m["data"].get("n") != 2])

    monkeypatch.setattr(events, "broadcast_all", lose_the_second)
    for n in (1, 2, 3):
        await sync_to_async(record_event)(ready_session.pk, "ai_status", {"n": n})
    received = [await communicator.receive_json_from(timeout=3) for _ in range(3)]
    # The third arrived with a gap before it: the second came from the log first, once.
    assert [m["data"]["n"] for m in received] == [1, 2, 3]
    assert [m["seq"] for m in received] == [before + 1, before + 2, before + 3]
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_events_reach_the_socket_without_a_trip_to_the_database_thread(
    ready_session, creator, monkeypatch
):
    # Channels would close old database connections, on its one database thread, before each
    # message: with a thousand sockets open that thread held every delivery up.
    import channels.consumer

    trips = []

    async def counted() -> None:
        trips.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    communicator = await _connect(ready_session, user=creator)
    await _next(communicator, "participant_status")  # Maya joined
    for n in (1, 2, 3):
        await sync_to_async(record_event)(ready_session.pk, "ai_status", {"n": n})
    received = [await communicator.receive_json_from(timeout=3) for _ in range(3)]
    assert [m["data"]["n"] for m in received] == [1, 2, 3]
    assert trips == []
    await communicator.disconnect()


async def test_a_broadcast_meeting_a_socket_that_just_closed_is_dropped_quietly(caplog):
    # Daphne refuses to send on a socket the browser has just closed; the disconnect that
    # follows tidies up, so this is no failure worth an error in the log.
    from autobahn.exception import Disconnected

    from facilitation.consumers import SessionEventsConsumer

    async def gone(message):
        raise Disconnected("Attempt to send on a closed protocol")

    consumer = SessionEventsConsumer()
    consumer.base_send = gone
    consumer.last_sent = 4
    message = {"seq": 5, "type": "ai_status", "data": {}, "timestamp": None}
    await consumer.dispatch({"type": "session.event", "event": message, "text": "{}"})
    assert consumer.last_sent == 4
    assert not consumer.closing
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


async def test_a_socket_waiting_for_its_sessions_lock_holds_up_no_other_session(
    make_session, creator, invitee_user
):
    # A socket's presence change locks its session's row, which a round of the runs' writes
    # may hold; meanwhile the sockets of every other session go on.
    from django.db import connection, transaction

    from conftest import wait_for
    from sessions.models import Session

    if connection.vendor != "postgresql":
        pytest.skip("Row locks are PostgreSQL's; SQLite writes one transaction at a time.")
    busy, _ = await sync_to_async(make_session)(consented=True, invitee=invitee_user)
    other, _ = await sync_to_async(make_session)(consented=True, invitee=invitee_user)
    holding, release = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()

    def hold_the_lock() -> None:
        with transaction.atomic():
            Session.objects.select_for_update().get(pk=busy.pk)
            loop.call_soon_threadsafe(holding.set)
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result(timeout=30)
        connection.close()

    holder = loop.run_in_executor(None, hold_the_lock)
    await holding.wait()
    try:
        waiting = await _connect(busy, user=creator)
        assert (await waiting.receive_json_from(timeout=3))["type"] == "session_state"

        def presence_waits() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] == 1

        assert await sync_to_async(wait_for)(presence_waits, 10)
        going_on = await _connect(other, user=creator)
        assert (await going_on.receive_json_from(timeout=3))["type"] == "session_state"
        assert (await _next(going_on, "participant_status"))["data"]["status"] == "joined"
    finally:
        release.set()
        await holder
    assert (await _next(waiting, "participant_status"))["data"]["status"] == "joined"
    await going_on.disconnect()
    await waiting.disconnect()
