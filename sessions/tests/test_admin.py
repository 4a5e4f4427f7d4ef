import pytest

from accounts.models import User
from sessions.models import Session, Status
from sessions.state import Action, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw-staff-123"))
    return client


def test_staff_list_and_filter_sessions(staff_client, make_session):
    make_session(consented=True)
    make_session()
    assert staff_client.get("/admin/diadi_sessions/session/").status_code == 200
    html = staff_client.get("/admin/diadi_sessions/session/?status__exact=ready").content.decode()
    assert "1 session" in html


def test_the_change_page_shows_people_and_the_event_log(staff_client, make_session):
    session, _ = make_session(consented=True)
    html = staff_client.get(f"/admin/diadi_sessions/session/{session.pk}/change/").content.decode()
    assert "David" in html and "session_state" in html


def test_staff_archive_and_end_through_the_state_machine(staff_client, make_session):
    live, _ = make_session(consented=True)
    transition(live, Action.START)
    ready, _ = make_session(consented=True)
    staff_client.post(
        "/admin/diadi_sessions/session/",
        {"action": "end_live_sessions", "_selected_action": [live.pk, ready.pk]},
    )
    live.refresh_from_db()
    ready.refresh_from_db()
    assert live.status == Status.ENDED
    assert ready.status == Status.READY  # refused with a message, unchanged
    assert live.events.last().data["reason"] == "staff:staff"
    staff_client.post(
        "/admin/diadi_sessions/session/",
        {"action": "archive_sessions", "_selected_action": [ready.pk]},
    )
    assert Session.objects.get(pk=ready.pk).status == Status.ARCHIVED


def test_non_staff_cannot_use_the_admin(client, creator):
    client.force_login(creator)
    assert client.get("/admin/diadi_sessions/session/").status_code == 302
