"""When the planned time runs out: "time's up" for both, then the session ends by itself after
a grace period, unless one of them asks for a few more minutes (twice at most)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from facilitation import periodic, services
from facilitation.simulation import load_script
from facilitation.sources import SIMULATIONS_DIR, simulation_source
from sessions.errors import SessionError
from sessions.models import SessionEvent, Status

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def live(make_session, invitee_user, settings):
    settings.SESSION_GRACE_MINUTES = 5
    session, _ = make_session(consented=True, invitee=invitee_user, duration_minutes=10)
    with time_machine.travel(T0, tick=False):
        services.start(session, None)
    session.refresh_from_db()
    return session


def _at(minutes: float) -> time_machine.travel:
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


def _room(client, session) -> dict:
    response = client.get(reverse("live_room", args=[session.public_id]))
    assert response.status_code == 200
    return response.context


def _ended_by_time(session) -> bool:
    session.refresh_from_db()
    last = SessionEvent.objects.filter(session=session, type="session_state").last()
    return session.status == Status.ENDED and last.data["reason"] == "time_limit"


def test_times_up_then_the_session_ends_after_the_grace_period(client, creator, live):
    client.force_login(creator)
    with _at(9.5):
        room = _room(client, live)
        assert (room["time_up"], room["remaining_label"]) == (False, "0:30")
        html = client.get(reverse("live_room", args=[live.public_id])).content.decode()
        assert "hidden" in html.split('id="time-up"')[1].split(">")[0]
        assert services.end_overdue_sessions() == 0
    with _at(10.5):
        room = _room(client, live)
        assert room["time_up"] is True
        assert room["grace_label"] == "4:30"
        html = client.get(reverse("live_room", args=[live.public_id])).content.decode()
        panel = html.split('id="time-up"')[1].split(">")[0]
        assert "hidden" not in panel and "Time's up" in html and "5 more minutes" in html
        assert services.end_overdue_sessions() == 0  # the grace period runs
    with _at(14.9):
        assert services.end_overdue_sessions() == 0
        assert live.status == Status.IN_PROGRESS
    with _at(15.1):
        assert periodic.end_overdue_sessions_task() == 1
    assert _ended_by_time(live)
    html = client.get(reverse("session_detail", args=[live.public_id])).content.decode()
    assert "The session has ended by itself: its time ran out" in html


def test_a_few_more_minutes_count_from_when_they_are_asked_for(client, invitee_user, live):
    client.force_login(invitee_user)
    with _at(12):
        response = client.post(reverse("session_extend", args=[live.public_id]))
        assert response.status_code == 302
    live.refresh_from_db()
    # 2 minutes over the planned 10, then 5 more: time is up at 17 minutes, the end at 22.
    assert (live.time_extensions, live.extra_seconds) == (1, 7 * 60)
    event = SessionEvent.objects.get(session=live, type="time_extended")
    assert event.data["minutes"] == 5
    assert event.data["extensionsLeft"] == 1
    assert event.data["participantId"] == live.participants.get(role="invitee").public_id
    assert event.data["endsAt"] == (T0 + timedelta(minutes=17)).isoformat()
    with _at(16.9):
        assert _room(client, live)["time_up"] is False
    with _at(21.9):
        assert services.end_overdue_sessions() == 0
    with _at(22.1):
        assert services.end_overdue_sessions() == 1
    assert _ended_by_time(live)


def test_more_time_is_given_twice_at_most(client, creator, live):
    with _at(10.5):
        services.extend_time(live, None)
        services.extend_time(live, None)
        with pytest.raises(SessionError) as refused:
            services.extend_time(live, None)
    assert refused.value.code == "NO_MORE_EXTRA_TIME"
    live.refresh_from_db()
    assert live.time_extensions == 2
    client.force_login(creator)
    with _at(11):
        html = client.post(
            reverse("session_extend", args=[live.public_id]), headers={"HX-Request": "true"}
        ).content.decode()
    assert "already asked for more time 2 times" in html
    assert SessionEvent.objects.filter(session=live, type="time_extended").count() == 2


def test_the_api_gives_more_time_too(client, creator, live):
    client.force_login(creator)
    with _at(10.5):
        response = client.post(f"/api/v1/sessions/{live.public_id}/extend")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["extraMinutes"], body["extensionsLeft"]) == ("in_progress", 5, 1)


def test_a_session_that_ended_gets_no_more_time(client, creator, live):
    client.force_login(creator)
    with _at(8):
        services.end(live, None)
        response = client.post(f"/api/v1/sessions/{live.public_id}/extend")
    assert response.status_code == 400
    assert response.json()["code"] == "SESSION_NOT_IN_PROGRESS"


def test_a_demo_runs_on_its_own_faster_clock(client, creator, make_session, invitee_user):
    """Speed 4: the 10-minute demo's time is up after 2.5 minutes of wall time, and the
    5-minute grace period takes 75 seconds."""
    session, _ = make_session(consented=True, invitee=invitee_user, duration_minutes=10)
    script = load_script(SIMULATIONS_DIR / "one_sided.yaml")
    with time_machine.travel(T0, tick=False):
        services.start(session, None, source=simulation_source(script, speed=4))
    client.force_login(creator)
    with _at(0.5):
        room = _room(client, session)
        # The first render already counts on the session's clock: 2 session minutes gone.
        assert room["remaining_label"] == "8:00"
        assert room["clock_rate"] == 4.0
        assert room["ends_at"] == (T0 + timedelta(seconds=150)).isoformat()
    with _at(2.6):
        assert _room(client, session)["time_up"] is True
    with _at(3.7):
        assert services.end_overdue_sessions() == 0
    with _at(3.8):
        assert services.end_overdue_sessions() == 1
    assert _ended_by_time(session)


def test_beat_ends_overdue_sessions_every_15_seconds():
    from diadi.celery import app

    entry = app.conf.beat_schedule["end-overdue-sessions"]
    assert entry == {"task": "facilitation.periodic.end_overdue_sessions_task", "schedule": 15.0}
    assert periodic.end_overdue_sessions_task.name == entry["task"]
