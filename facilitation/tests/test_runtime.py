"""Facilitation runs in a run host: the kill switch, settings, leases, takeovers, deletion."""

import asyncio
import json
import random
import re

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from facilitation import runners, services, store
from facilitation.engine import Event
from facilitation.models import FacilitationRun, RunInput, TranscriptSegment
from facilitation.runtime import SteppedClock
from facilitation.simulation import load_script
from facilitation.sources import SIMULATIONS_DIR, simulation_source
from sessions.models import Session, SessionEvent, Status
from sessions.state import Action, transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

PROMPTS = ("intervention", "escalation", "goal_drift")


class ScheduledClock(SteppedClock):
    """As fast as possible, one tick per step, with things that happen at given moments of
    the session (ms): a person pressing a button, a worker dying."""

    step_ms = 500

    def __init__(self, plan: dict[int, object]) -> None:
        self.plan = dict(plan)
        self.played_ms = -1

    def target_ms(self, played_ms: int) -> int:
        self.played_ms = played_ms
        return super().target_ms(played_ms)

    async def wait(self, next_tick_ms, wake) -> None:
        for at_ms in sorted(self.plan):
            if self.played_ms >= at_ms:
                await self.plan.pop(at_ms)()
        await super().wait(next_tick_ms, wake)


class UnevenClock(SteppedClock):
    """A busy machine: each step plays a random stretch of up to three seconds."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def target_ms(self, played_ms: int) -> int:
        return played_ms + self._random.randint(1, 3_000)


async def _started(make_session, name: str, host, speed: float = 0) -> tuple[Session, int]:
    """A session made for the script (its people, goal and length), started in `host`."""
    script = load_script(SIMULATIONS_DIR / name)
    session = await sync_to_async(services.create_simulation_session)(script)
    source = simulation_source(script, speed=speed)
    await sync_to_async(services.start)(session, None, source=source, host=host.name)
    run = await FacilitationRun.objects.aget(session=session)
    return session, run.pk


async def _play(make_session, script: str, clock=None, plan=None) -> Session:
    """One session playing `script` to its end in a host of its own, on `clock`, or as fast
    as possible with what `plan(session)` says happens when ({ms: action})."""
    session_of: dict[str, Session] = {}
    if plan is not None:

        def clock():
            return ScheduledClock(plan(session_of["session"]))

    host = runners.RunHost(classifier=runners.classify, clock=clock)
    await host.start()
    session, run_id = await _started(make_session, script, host)
    session_of["session"] = session
    owner = await FacilitationRun.objects.values_list("owner", flat=True).aget(pk=run_id)
    assert await host.adopt(run_id, owner)
    await host.join(run_id)
    await host.shutdown()
    return session


def _pressing(action: Action):
    """Someone presses a button of the session (its status moves)."""

    def press(session: Session):
        async def act():
            await sync_to_async(transition)(session, action)

        return act

    return press


async def _events(session, *types):
    query = SessionEvent.objects.filter(session=session).order_by("seq")
    if types:
        query = query.filter(type__in=types)
    return [e async for e in query]


async def _said(session) -> list[tuple]:
    """What the facilitator said and when, with the people named by role, not by id."""
    roles = {p.public_id: p.role async for p in session.participants.all()}
    said = []
    for event in await _events(session):
        if event.type in ("session_state", "settings_changed"):
            continue
        text = json.dumps(event.data)
        for public_id, role in roles.items():
            text = text.replace(public_id, role)
        said.append((event.type, event.at_ms, json.loads(text)))
    return said


async def test_the_kill_switch_stops_every_prompt_until_resume(make_session):
    # one_sided.yaml prompts at 211 s and 350 s: paused from 200 s to 400 s, nothing may come.
    session = await _play(
        make_session,
        "one_sided.yaml",
        plan=lambda session: {
            200_000: _pressing(Action.PAUSE)(session),
            400_000: _pressing(Action.RESUME)(session),
        },
    )

    events = await _events(session)
    paused = next(e for e in events if e.data.get("status") == "paused")
    resumed = next(e for e in events if e.data.get("previousStatus") == "paused")
    during = [e for e in events if paused.seq < e.seq < resumed.seq]
    assert [e for e in during if e.type in PROMPTS] == []
    assert {e.type for e in during} <= {"time_remaining", "ai_status", "participant_status"}
    [heard] = [e for e in during if e.type == "ai_status"]
    assert heard.data == {"status": "paused"}
    # Pressed once the tick of 200.5 s was played: the run hears it before the next tick.
    assert heard.at_ms == 201_000
    # Speech is only kept while the facilitator listens.
    assert not await TranscriptSegment.objects.filter(
        session=session, start_ms__gte=201_000, start_ms__lt=400_000
    ).aexists()
    await session.arefresh_from_db()
    assert session.status == Status.ENDED


async def test_settings_changed_in_the_room_reach_the_run(make_session):
    from sessions import services as sessions

    def prompts_off(session):
        async def act():
            participant = await session.participants.afirst()
            await sync_to_async(sessions.update_live_settings)(
                session.pk, participant, {"facilitatedPrompts": False}
            )

        return act

    session = await _play(
        make_session, "one_sided.yaml", plan=lambda session: {100_000: prompts_off(session)}
    )
    # Without the change one_sided.yaml prompts at 211 s and 350 s (see the next test).
    assert await _events(session, "intervention") == []


async def test_a_script_gives_the_same_facilitation_however_the_machine_keeps_up(make_session):
    steady = await _play(make_session, "heated.yaml")
    uneven = await _play(make_session, "heated.yaml", clock=lambda: UnevenClock(seed=7))
    assert await _said(uneven) == await _said(steady)
    # heated.yaml's header: escalation prompts, a goal drift and the time warning.
    prompts = [(e.data["type"], e.at_ms) for e in await _events(steady, "intervention")]
    assert prompts == [("escalation", 229_000), ("time_warning", 420_000), ("goal_drift", 480_000)]


async def test_a_run_taken_over_continues_exactly(make_session):
    reference = await _said(await _play(make_session, "heated.yaml"))

    async def worker_dies():
        raise asyncio.CancelledError  # the process vanishes: no clean-up, no finish

    first = runners.RunHost(
        classifier=runners.classify, clock=lambda: ScheduledClock({300_000: worker_dies})
    )
    await first.start()
    session, run_id = await _started(make_session, "heated.yaml", first)
    owner = await FacilitationRun.objects.values_list("owner", flat=True).aget(pk=run_id)
    await first.adopt(run_id, owner)
    await first.join(run_id)
    run = await FacilitationRun.objects.aget(pk=run_id)
    assert run.state == FacilitationRun.State.RUNNING and run.played_ms >= 295_000
    assert await RunInput.objects.filter(run=run).aexists()

    # Only a lease gone stale is taken over.
    assert await sync_to_async(store.stale_runs)() == []
    await FacilitationRun.objects.filter(pk=run_id).aupdate(
        heartbeat_at=timezone.now() - store.lease_stale_after() * 2
    )
    [(taken_id, token)] = await sync_to_async(store.stale_runs)()
    assert taken_id == run_id

    second = runners.new_host()
    await second.start()
    assert await second.adopt(run_id, token)
    await second.join(run_id)
    await first.shutdown()
    await second.shutdown()

    # The same events as a run that never stopped: nothing said twice, nothing lost.
    assert await _said(session) == reference
    logged = await _events(session)
    assert [e.seq for e in logged] == list(range(1, len(logged) + 1))
    run = await FacilitationRun.objects.aget(pk=run_id)
    assert (run.state, run.attempts) == (FacilitationRun.State.FINISHED, 2)
    assert not await RunInput.objects.filter(run=run).aexists()


async def test_a_hand_out_delivered_twice_starts_one_run(make_session):
    host, other = runners.new_host(), runners.new_host()
    await host.start()
    await other.start()
    session, _ = await sync_to_async(make_session)(consented=True)
    source = simulation_source(load_script(SIMULATIONS_DIR / "balanced.yaml"), speed=1)
    await sync_to_async(services.start)(session, None, source=source)
    run = await FacilitationRun.objects.aget(session=session)
    assert run.host == ""  # handed out, nobody holds it yet

    assert await host.adopt(run.pk, run.owner)
    assert not await other.adopt(run.pk, run.owner)
    assert not await host.adopt(run.pk, run.owner)
    assert (host.run_ids, other.run_ids) == ([run.pk], [])
    await host.shutdown()
    await other.shutdown()


async def test_a_run_adopted_while_the_leases_are_renewed_keeps_running(
    make_session, settings, monkeypatch
):
    settings.RUN_HEARTBEAT_SECONDS = 0.05
    renewing, renewed = asyncio.Event(), asyncio.Event()
    real_heartbeat = store.heartbeat

    def slow_heartbeat(host_name, run_ids):
        held = real_heartbeat(host_name, run_ids)
        loop.call_soon_threadsafe(renewing.set)
        asyncio.run_coroutine_threadsafe(renewed.wait(), loop).result(timeout=30)
        return held

    loop = asyncio.get_running_loop()
    host = runners.new_host()
    await host.start()
    session, run_id = await _started(make_session, "balanced.yaml", host, speed=1)
    owner = await FacilitationRun.objects.values_list("owner", flat=True).aget(pk=run_id)
    monkeypatch.setattr(store, "heartbeat", slow_heartbeat)
    try:
        await asyncio.wait_for(renewing.wait(), timeout=30)
        assert await host.adopt(run_id, owner)  # while that renewal is on its way
        renewed.set()
        await asyncio.sleep(0.5)  # several renewals later
        assert host.run_ids == [run_id]
    finally:
        renewed.set()
        await sync_to_async(transition)(session, Action.END)
        await host.join(run_id)
        await host.shutdown()


async def test_a_stale_holder_can_never_write_again(make_session):
    host = runners.new_host()
    await host.start()
    session, run_id = await _started(make_session, "balanced.yaml", host)
    run = await FacilitationRun.objects.aget(pk=run_id)
    holder = await sync_to_async(store.claim)(run_id, run.owner, host.name)
    batch = store.Batch(
        events=[Event("time_remaining", 0, {"minutes": 12, "seconds": 0})],
        fed=[],
        segments=[],
        played_ms=0,
        source_position=0,
        applied_seq=1,
    )
    written = await sync_to_async(store.write)(run_id, holder, session.pk, batch, "simulation")
    assert [event.type for event in written] == ["time_remaining"]

    await FacilitationRun.objects.filter(pk=run_id).aupdate(
        heartbeat_at=timezone.now() - store.lease_stale_after() * 2
    )
    [(_, token)] = await sync_to_async(store.stale_runs)()
    with pytest.raises(store.LeaseLost):
        await sync_to_async(store.write)(run_id, holder, session.pk, batch, "simulation")
    assert len(await _events(session, "time_remaining")) == 1
    assert await sync_to_async(store.claim)(run_id, token, "elsewhere") is not None
    await host.shutdown()


async def test_a_session_deleted_while_its_run_writes_stops_the_run(make_session):
    from sessions import services as sessions

    def delete(session):
        async def act():
            await sync_to_async(sessions.delete_session)(session)

        return act

    for attempt in range(8):
        moment = random.Random(attempt).randint(1, 120) * 1000
        session = await asyncio.wait_for(
            _play(make_session, "balanced.yaml", plan=lambda s, m=moment: {m: delete(s)}),
            timeout=30,
        )
        assert not await Session.objects.filter(pk=session.pk).aexists()
        assert not await FacilitationRun.objects.filter(session_id=session.pk).aexists()


async def test_the_run_drops_a_prompt_that_lands_after_the_kill_switch(make_session):
    host = runners.new_host()
    await host.start()
    session, run_id = await _started(make_session, "balanced.yaml", host)
    run = await FacilitationRun.objects.aget(pk=run_id)
    holder = await sync_to_async(store.claim)(run_id, run.owner, host.name)
    await sync_to_async(transition)(session, Action.PAUSE)
    batch = store.Batch(
        events=[
            Event("intervention", 1000, {"id": "int_1", "type": "balance"}),
            Event("time_remaining", 1000, {"minutes": 1, "seconds": 0}),
        ],
        fed=[],
        segments=[],
        played_ms=1000,
        source_position=0,
        applied_seq=1,
    )
    written = await sync_to_async(store.write)(run_id, holder, session.pk, batch, "simulation")
    assert [event.type for event in written] == ["time_remaining"]  # nothing left to speak
    assert await _events(session, "intervention") == []
    await host.shutdown()


async def test_swapped_speaker_labels_reach_the_run_and_the_kept_speech(make_session):
    def swap(session):
        async def act():
            await Session.objects.filter(pk=session.pk).aupdate(platform="zoom")
            await session.arefresh_from_db()
            by = await session.participants.afirst()
            await sync_to_async(services.swap_speakers)(session, by)

        return act

    session = await _play(make_session, "one_sided.yaml", plan=lambda s: {120_000: swap(s)})

    creator = await session.participants.aget(role="creator")
    balances = await _events(session, "balance_update")
    before = [e for e in balances if e.at_ms <= 120_000][-1]
    after = next(e for e in balances if e.at_ms > 120_500)
    # Priya (the creator) did nearly all the talking; after the swap it was Tom.
    assert before.data["participantA"]["percentage"] > 80
    assert after.data["participantA"]["percentage"] < 20
    first_turn = await TranscriptSegment.objects.filter(session=session).afirst()
    assert first_turn.participant_id != creator.pk  # Priya's opening words are Tom's now
    # And the balance prompts aim at the quiet one, who is now Priya.
    prompts = await _events(session, "intervention")
    assert prompts and all(p.data["targetParticipant"] == creator.public_id for p in prompts)


async def test_speech_heard_outside_the_run_reaches_it_on_the_session_clock(make_session):
    import time

    from facilitation import inbox

    host = runners.new_host()
    await host.start()
    session, _ = await sync_to_async(make_session)(consented=True)
    await sync_to_async(services.start)(session, None)  # the browser room: no speech of its own
    run = await FacilitationRun.objects.aget(session=session)
    assert await host.adopt(run.pk, run.owner)
    await session.arefresh_from_db()
    maya = await session.participants.aget(role="creator")

    def speech(speaking: bool, at: float) -> dict:
        return {
            "type": inbox.SPEECH,
            "session": session.public_id,
            "participant": maya.public_id,
            "speaking": speaking,
            "at": at,
        }

    started = session.started_at.timestamp()
    await inbox.send_to_run(session.public_id, speech(True, started + 1.0))
    await inbox.send_to_run(session.public_id, speech(False, started + 2.5))
    while time.time() < started + 3.5:
        await asyncio.sleep(0.1)
    await sync_to_async(transition)(session, Action.END)
    await host.join(run.pk)
    await host.shutdown()

    statuses = [
        (e.at_ms, e.data["status"])
        for e in await _events(session, "participant_status")
        if e.data["participantId"] == maya.public_id
        and e.at_ms is not None
        and e.data["status"] in ("speaking", "listening")
    ]
    assert statuses == [(1_000, "speaking"), (2_500, "listening")]
    segment = await TranscriptSegment.objects.aget(session=session)
    assert (segment.participant_id, segment.start_ms, segment.end_ms) == (maya.pk, 1_000, 2_500)


async def _pause_a_live_run(make_session) -> Session:
    """A browser-room session (a real-time clock) whose run is under way in a host of its
    own, paused once the run has written; returned when the run wrote `ai_status: paused`."""
    host = runners.new_host()
    await host.start()
    session, _ = await sync_to_async(make_session)(consented=True)
    await sync_to_async(services.start)(session, None)
    run = await FacilitationRun.objects.aget(session=session)
    assert await host.adopt(run.pk, run.owner)

    async def heard() -> bool:
        return any(e.data == {"status": "paused"} for e in await _events(session, "ai_status"))

    for _ in range(50):  # the run is under way (it read the log when it started)
        if await _events(session, "ai_status"):
            break
        await asyncio.sleep(0.1)
    await sync_to_async(transition)(session, Action.PAUSE)
    for _ in range(50):
        if await heard():
            break
        await asyncio.sleep(0.1)
    await host.shutdown()
    assert await heard()
    return session


async def test_a_pause_the_channel_layer_lost_reaches_the_run_all_the_same(
    make_session, monkeypatch
):
    from facilitation import host as run_host
    from facilitation import inbox

    # Every push is lost; the host reads what its runs missed five times a second.
    monkeypatch.setattr(inbox, "send_to_run_sync", lambda public_id, message: None)
    monkeypatch.setattr(run_host, "CONTROL_POLL_S", 0.2)
    await _pause_a_live_run(make_session)


async def test_a_pushed_pause_reaches_the_run_which_logs_how_long_it_took(
    make_session, monkeypatch, caplog
):
    from facilitation import host as run_host

    monkeypatch.setattr(run_host, "CONTROL_POLL_S", 600.0)  # only the push can bring it
    caplog.set_level("INFO", logger="facilitation.runtime")
    session = await _pause_a_live_run(make_session)

    (pause,) = [e for e in await _events(session, "session_state") if e.data["status"] == "paused"]
    heard = [r.getMessage() for r in caplog.records if " heard control " in r.getMessage()]
    assert len(heard) == 1
    match = re.fullmatch(
        r"Run \d+ heard control (\d+) \((\w+) (\w+)\) (\d+) ms after it was logged", heard[0]
    )
    assert match is not None, heard[0]
    assert match.group(1, 2, 3) == (str(pause.seq), "session_state", "paused")
    assert 0 <= int(match.group(4)) < 5_000
