"""The facilitation run: kill switch, settings, and rebuilding a run whose worker died."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from facilitation import runtime, services, store
from facilitation.models import FacilitationRun
from facilitation.runtime import FacilitationRun as Run
from facilitation.simulation import load_script
from facilitation.sources import SIMULATIONS_DIR, simulation_source
from sessions.models import SessionEvent, Status
from sessions.state import Action, transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class ScheduledClock(runtime.SteppedClock):
    """Speed 0, with things that happen at given moments of the session (milliseconds)."""

    plan: dict[int, object] = {}

    async def pace(self) -> None:
        for at_ms in sorted(self.plan):
            if self.now_ms() >= at_ms:
                await self.plan.pop(at_ms)()
        await super().pace()


async def _prepared(make_session, script: str, speed: float = 0):
    session, _ = await sync_to_async(make_session)(consented=True)
    source = simulation_source(load_script(SIMULATIONS_DIR / script), speed=speed)
    started, run = await sync_to_async(services.prepare_start)(session, None, source=source)
    return started, run


async def _events(session, type_=None):
    query = SessionEvent.objects.filter(session=session).order_by("seq")
    if type_:
        query = query.filter(type=type_)
    return [e async for e in query]


async def test_the_kill_switch_stops_every_prompt_until_resume(make_session, monkeypatch):
    session, run = await _prepared(make_session, "one_sided.yaml")

    def move(action):
        async def act():
            await sync_to_async(transition)(session, action)

        return act

    # one_sided.yaml prompts at 211 s and 350 s: paused from 200 s to 400 s, nothing may come.
    monkeypatch.setattr(
        ScheduledClock, "plan", {200_000: move(Action.PAUSE), 400_000: move(Action.RESUME)}
    )
    monkeypatch.setattr(runtime, "SteppedClock", ScheduledClock)
    await Run(run.pk, run.owner)()

    events = await _events(session)
    paused = next(e.seq for e in events if e.data.get("status") == "paused")
    resumed = next(
        e.seq for e in events if e.data.get("status") == "in_progress" and e.seq > paused
    )
    during = [e for e in events if paused < e.seq < resumed]
    assert not [e for e in during if e.type in ("intervention", "escalation", "goal_drift")]
    assert {e.type for e in during} <= {"time_remaining", "ai_status"}
    assert any(e.type == "ai_status" and e.data["status"] == "paused" for e in during)
    await session.arefresh_from_db()
    assert session.status == Status.ENDED


async def test_settings_changed_in_the_room_reach_the_run(make_session, monkeypatch):
    session, run = await _prepared(make_session, "one_sided.yaml")

    async def prompts_off():
        await sync_to_async(services_update)(session, {"facilitatedPrompts": False})

    def services_update(s, changes):
        from sessions import services as sessions

        participant = s.participants.first()
        sessions.update_live_settings(s.pk, participant, changes)

    monkeypatch.setattr(ScheduledClock, "plan", {100_000: prompts_off})
    monkeypatch.setattr(runtime, "SteppedClock", ScheduledClock)
    await Run(run.pk, run.owner)()
    assert await _events(session, "intervention") == []


async def test_a_run_whose_worker_died_is_rebuilt_without_repeats(make_session, monkeypatch):
    session, run = await _prepared(make_session, "heated.yaml")

    async def die():
        raise asyncio.CancelledError  # the worker vanishes: no clean-up, no finish

    monkeypatch.setattr(ScheduledClock, "plan", {300_000: die})
    monkeypatch.setattr(runtime, "SteppedClock", ScheduledClock)
    with pytest.raises(asyncio.CancelledError):
        await Run(run.pk, run.owner)()
    before = await _events(session)
    assert (await FacilitationRun.objects.aget(pk=run.pk)).state == FacilitationRun.State.RUNNING

    # The watchdog only takes runs whose heartbeat went stale.
    assert await sync_to_async(store.claim_stale_runs)() == []
    await FacilitationRun.objects.filter(pk=run.pk).aupdate(
        heartbeat_at=timezone.now() - store.HEARTBEAT_STALE_AFTER * 2
    )
    [(run_id, owner)] = await sync_to_async(store.claim_stale_runs)()
    assert owner != run.owner
    assert not await sync_to_async(store.heartbeat)(run.pk, run.owner)  # the old worker stops

    monkeypatch.setattr(ScheduledClock, "plan", {})
    await Run(run_id, owner)()
    after = await _events(session)
    assert [e.seq for e in after] == list(range(1, len(after) + 1))  # nothing lost, in order
    assert [(e.seq, e.data) for e in after[: len(before)]] == [(e.seq, e.data) for e in before]
    interventions = [e for e in after if e.type == "intervention"]
    assert len({e.data["id"] for e in interventions}) == len(interventions)
    assert len({(e.data["type"], e.at_ms) for e in interventions}) == len(interventions)
    minutes = [(e.data["minutes"], e.data["seconds"]) for e in after if e.type == "time_remaining"]
    assert len(minutes) == len(set(minutes))
    assert after[-1].data["status"] == "ended"
    assert (await FacilitationRun.objects.aget(pk=run.pk)).attempts == 2


async def test_a_deleted_session_stops_its_run(make_session, monkeypatch):
    session, run = await _prepared(make_session, "balanced.yaml")

    async def delete():
        from sessions import services as sessions

        await sync_to_async(sessions.delete_session)(session)

    monkeypatch.setattr(ScheduledClock, "plan", {60_000: delete})
    monkeypatch.setattr(runtime, "SteppedClock", ScheduledClock)
    await asyncio.wait_for(Run(run.pk, run.owner)(), timeout=30)
    assert not await FacilitationRun.objects.filter(pk=run.pk).aexists()


async def test_persist_drops_prompts_once_paused(make_session):
    from facilitation.engine import Event

    session, _ = await _prepared(make_session, "balanced.yaml")
    await sync_to_async(transition)(session, Action.PAUSE)
    prompt = Event("intervention", 1000, {"id": "int_1", "type": "balance"})
    tick = Event("time_remaining", 1000, {"minutes": 1, "seconds": 0})
    assert await sync_to_async(store.persist)(session.pk, [prompt, tick]) == 1
    assert await _events(session, "intervention") == []
