"""However a session ends, its recap is queued once; a recap whose maker died is made by
another, never lost and never made twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from sessions.models import Status
from sessions.state import Action, transition
from summaries import making
from summaries.making import LostClaim, Recap
from summaries.models import Summary
from summaries.tests.conftest import add_talk, made, queued

STALE = timedelta(seconds=600)


@pytest.fixture
def settled_quickly(monkeypatch):
    # No run writes to these sessions' transcripts: nothing to wait for after the end.
    monkeypatch.setattr(making, "SETTLE_S", 0.5)


@pytest.mark.django_db(transaction=True)
def test_the_api_end_queues_one_recap_and_says_where_it_is(
    make_session, invitee_user, settled_quickly
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    api = APIClient()
    api.force_authenticate(invitee_user)
    assert api.post(f"/api/v1/sessions/{session.public_id}/start").status_code == 200
    add_talk(session)
    body = api.post(f"/api/v1/sessions/{session.public_id}/end").json()
    assert body["status"] == "ended"
    # Made in the background: maybe already, most likely not yet; never claimed otherwise.
    assert body["summaryStatus"] in ("pending", "running", "ready")
    assert body["summaryAvailable"] is (body["summaryStatus"] == "ready")
    summary = made(session)
    assert Summary.objects.filter(session=session).count() == 1
    assert summary.status == Summary.Status.READY and summary.attempts == 1
    response = api.get(f"/api/v1/sessions/{session.public_id}/summary")
    assert response.status_code == 200
    assert response.json()["actionItems"] == [
        "I will book the flights tomorrow morning.",
        "I might call the bank about the loan on Friday.",
    ]


@pytest.mark.django_db(transaction=True)
def test_staff_ending_a_session_in_the_admin_queues_its_recap(client, make_session):
    session, _ = make_session(consented=True)
    transition(session, Action.START, at_ms=0)
    add_talk(session)
    client.force_login(User.objects.create_superuser("staff", "s@example.com", "pw-staff-123"))
    client.post(
        "/admin/diadi_sessions/session/",
        {"action": "end_live_sessions", "_selected_action": [session.pk]},
    )
    session.refresh_from_db()
    assert session.status == Status.ENDED
    assert made(session).status == Summary.Status.READY
    assert Summary.objects.filter(session=session).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_hook_called_again_or_at_once_makes_no_second_recap(make_session):
    session, _ = make_session(consented=True)
    transition(session, Action.START, at_ms=0)
    session = transition(session, Action.END)
    made(session)
    first = Summary.objects.get(session=session)

    def hook() -> None:
        making.queue_summary(session, Status.IN_PROGRESS)
        connections.close_all()

    threads = [threading.Thread(target=hook) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(Summary.objects.filter(session=session)) == [first]
    first.refresh_from_db()
    assert first.attempts == 1


@pytest.mark.django_db
def test_only_one_maker_holds_a_recap(talked):
    summary = queued(talked())
    first = making.claim(summary.pk)
    assert first is not None
    assert making.claim(summary.pk) is None  # a second maker, at the same time: refused
    making.heartbeat(first, progress=40, stage="Writing")
    summary.refresh_from_db()
    assert (summary.status, summary.progress, summary.attempts) == ("running", 40, 1)


@pytest.mark.django_db
def test_a_maker_that_went_quiet_is_replaced_and_cannot_store(talked, monkeypatch):
    summary = queued(talked())
    dead = making.claim(summary.pk)
    Summary.objects.filter(pk=summary.pk).update(claimed_at=timezone.now() - STALE)
    queued_again = []
    monkeypatch.setattr(making, "enqueue", lambda task, pk: queued_again.append(pk))
    assert making.sweep() == 1
    assert queued_again == [summary.pk]

    made(summary.session)  # the new maker (the worker the sweep queued)
    summary.refresh_from_db()
    assert (summary.status, summary.attempts) == ("ready", 2)
    agreements = summary.agreements.count()
    # The old maker wakes up: it may neither go on nor store anything.
    with pytest.raises(LostClaim):
        making.heartbeat(dead)
    recap = Recap("Late", [{"title": "Late", "description": ""}], [], [], {}, made_offline=True)
    with pytest.raises(LostClaim):
        making._store(dead, recap)
    summary.refresh_from_db()
    assert summary.consensus != "Late" and summary.agreements.count() == agreements


@pytest.mark.django_db
def test_the_sweep_queues_a_recap_that_was_never_picked_up(talked, monkeypatch):
    summary = queued(talked())
    Summary.objects.filter(pk=summary.pk).update(queued_at=timezone.now() - STALE)
    fresh = queued(talked())
    Summary.objects.filter(pk=fresh.pk).update(queued_at=timezone.now())
    queued_again = []
    monkeypatch.setattr(making, "enqueue", lambda task, pk: queued_again.append(pk))
    making.sweep()
    assert queued_again == [summary.pk]  # the fresh one is still on its way


@pytest.mark.django_db
def test_the_sweep_gives_up_after_the_last_attempt(talked, settings, monkeypatch):
    settings.SUMMARY_MAX_ATTEMPTS = 2
    summary = queued(talked())
    Summary.objects.filter(pk=summary.pk).update(
        status="running", attempts=2, claimed_at=timezone.now() - STALE, maker="gone"
    )
    monkeypatch.setattr(making, "enqueue", lambda task, pk: pytest.fail("must not queue"))
    making.sweep()
    summary.refresh_from_db()
    assert summary.status == Summary.Status.FAILED
    assert summary.reason == "The recap's maker stopped 2 times before finishing."


@pytest.mark.django_db
def test_the_sweep_makes_up_for_a_hook_that_never_ran(talked):
    session = talked()  # nothing commits in this test: the ENDED hook never ran
    assert not Summary.objects.filter(session=session).exists()
    just_ended = talked()
    session.__class__.objects.filter(pk=session.pk).update(
        ended_at=timezone.now() - timedelta(hours=1)
    )
    making.sweep()
    assert Summary.objects.get(session=session).status == Summary.Status.PENDING
    # One that ended a moment ago may still have its hook running: it is left alone.
    assert not Summary.objects.filter(session=just_ended).exists()


@pytest.mark.django_db
def test_a_maker_that_claims_nothing_does_nothing(talked):
    summary = queued(talked())
    assert making.claim(summary.pk) is not None
    making.make(summary.pk)  # another worker got the same message: it leaves it alone
    summary.refresh_from_db()
    assert summary.status == Summary.Status.RUNNING and summary.attempts == 1


@pytest.mark.django_db
def test_a_session_deleted_while_its_recap_is_made_stops_the_maker_quietly(
    talked, monkeypatch, caplog
):
    from sessions import services as sessions

    session = talked()
    summary = queued(session)
    monkeypatch.setattr(
        making, "_wait_for_the_last_words", lambda held, s: sessions.delete_session(s)
    )
    making.make(summary.pk)
    assert not Summary.objects.exists()
    assert "failed" not in caplog.text
