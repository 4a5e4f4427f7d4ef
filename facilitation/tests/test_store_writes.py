"""A host writes its runs' batches together (store.write_many): each run on its own terms,
whatever the others in the same round are doing."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from conftest import wait_for
from facilitation import store
from facilitation.engine import Event
from facilitation.engine.inputs import SpeechStarted
from facilitation.models import FacilitationRun
from sessions.models import SessionEvent
from sessions.state import Action, transition

pytestmark = pytest.mark.django_db


def _live_run(make_session):
    session, _ = make_session(consented=True)
    session = transition(session, Action.START)
    run = store.create_run(session, {"kind": "simulation", "script": "balanced.yaml"}, host="h")
    return session, run


def _write(session, run, *, holder=None, first_input=0, at_ms=1000):
    speaker = session.participants.get(role="creator").public_id
    batch = store.Batch(
        events=[
            Event("intervention", at_ms, {"id": f"int_{at_ms}", "type": "balance"}),
            Event("time_remaining", at_ms, {"minutes": 1, "seconds": 0}),
        ],
        fed=[(at_ms, SpeechStarted(at_ms, speaker))],
        segments=[store.Segment(speaker, 0, at_ms)],
        played_ms=at_ms,
        source_position=1,
        applied_seq=1,
        first_input=first_input,
    )
    return store.Write(run.pk, holder or run.owner, session.pk, batch, "simulation")


def _logged(session) -> list[tuple[int, str]]:
    """What was logged after the start, numbered from it."""
    started = SessionEvent.objects.get(session=session, data__status="in_progress").seq
    return [
        (seq - started, type_)
        for seq, type_ in SessionEvent.objects.filter(session=session, seq__gt=started)
        .order_by("seq")
        .values_list("seq", "type")
    ]


def test_one_round_writes_each_run_on_its_own_terms(make_session):
    (live, live_run), (paused, paused_run), (taken, taken_run), (faulty, faulty_run) = (
        _live_run(make_session) for _ in range(4)
    )
    transition(paused, Action.PAUSE)
    # The faulty run already wrote its first input: writing it again breaks a constraint.
    assert store.write_many([_write(faulty, faulty_run)])[0] != []
    faulty_before = _logged(faulty)

    results = store.write_many(
        [
            _write(live, live_run),
            _write(paused, paused_run),
            _write(taken, taken_run, holder="someone-else"),
            _write(faulty, faulty_run, at_ms=2000),
        ]
    )

    assert [e.type for e in results[0]] == ["intervention", "time_remaining"]
    assert [e.type for e in results[1]] == ["time_remaining"]  # the kill switch won
    assert isinstance(results[2], store.LeaseLost)
    assert isinstance(results[3], DatabaseError)
    assert _logged(live) == [(1, "intervention"), (2, "time_remaining")]
    assert _logged(paused) == [(1, "session_state"), (2, "time_remaining")]  # the pause first
    assert _logged(taken) == []
    assert _logged(faulty) == faulty_before
    live_run.refresh_from_db()
    taken_run.refresh_from_db()
    assert (live_run.played_ms, live_run.inputs.count()) == (1000, 1)
    assert (taken_run.played_ms, taken_run.inputs.count()) == (-1, 0)
    assert live.transcript.count() == 1 and taken.transcript.count() == 0


def test_a_single_write_raises_what_stops_its_run(make_session):
    session, run = _live_run(make_session)
    transition(session, Action.END)
    write = _write(session, run)
    with pytest.raises(store.LeaseLost):
        store.write(write.run_id, write.holder, write.session_pk, write.batch, "simulation")
    assert _logged(session) == [(1, "session_state")]  # the end, nothing after it


@pytest.mark.django_db(transaction=True)
def test_renewing_leases_waits_behind_a_round_instead_of_deadlocking_with_it(make_session):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are PostgreSQL's; SQLite writes one transaction at a time.")
    (_, first), (_, second) = _live_run(make_session), _live_run(make_session)
    # Written again, the first run's row now lies after the second's in the table, so a scan
    # of the table meets the second first.
    FacilitationRun.objects.filter(pk=first.pk).update(heartbeat_at=timezone.now())
    round_holds_first = threading.Event()
    renewed: list[set[int]] = []

    def renew() -> None:
        round_holds_first.wait()
        try:
            renewed.append(store.heartbeat("h", [first.pk, second.pk]))
        finally:
            connection.close()

    renewal = threading.Thread(target=renew)
    renewal.start()
    with transaction.atomic():
        # A round of writes locks its runs in key order: the first, then the second.
        FacilitationRun.objects.select_for_update().get(pk=first.pk)
        round_holds_first.set()
        with connection.cursor() as cursor:

            def renewal_waits() -> bool:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] == 1

            assert wait_for(renewal_waits, seconds=10)
        FacilitationRun.objects.select_for_update().get(pk=second.pk)
    renewal.join(timeout=30)
    assert renewed == [{first.pk, second.pk}]


def test_a_host_reads_what_each_run_missed_of_its_controls_in_one_go(make_session):
    maya, _ = _live_run(make_session)
    david, _ = _live_run(make_session)
    gone, _ = _live_run(make_session)
    maya = transition(maya, Action.PAUSE)
    maya = transition(maya, Action.RESUME)
    david = transition(david, Action.PAUSE)
    paused = SessionEvent.objects.get(session=maya, type="session_state", data__status="paused")
    gone_pk = gone.pk
    gone.delete()

    # Maya's run applied the pause already; David's run has applied nothing since it started.
    started = SessionEvent.objects.get(
        session=david, type="session_state", data__status="in_progress"
    )
    logged = store.controls_of_many(
        {maya.pk: paused.seq, david.pk: started.seq, gone_pk: started.seq}
    )

    assert [(c.type, c.data["status"]) for c in logged[maya.pk]] == [
        ("session_state", "in_progress")
    ]
    assert [(c.type, c.data["status"]) for c in logged[david.pk]] == [("session_state", "paused")]
    assert logged[gone_pk] is None
