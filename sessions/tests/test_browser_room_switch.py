"""A Zoom / Meet / Teams session on a server that cannot join meetings offers the browser room."""

import pytest
from django.urls import reverse

from sessions.models import SessionEvent

pytestmark = pytest.mark.django_db

ZOOM = {"platform": "zoom", "meeting_url": "https://zoom.us/j/85512345678"}


@pytest.fixture
def zoom_session(make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user, **ZOOM)
    return session


def _page(client, user, session) -> str:
    client.force_login(user)
    return client.get(reverse("session_detail", args=[session.public_id])).content.decode()


def test_a_zoom_session_offers_the_browser_room_instead_of_a_start_that_fails(
    client, creator, zoom_session
):
    html = _page(client, creator, zoom_session)
    assert "Diadi cannot join Zoom calls on this server yet" in html
    assert "Switch to the browser room" in html
    assert "Start the session" not in html


def test_either_person_switches_and_both_are_told(client, creator, invitee_user, zoom_session):
    client.force_login(invitee_user)
    url = reverse("session_browser_room", args=[zoom_session.public_id])
    assert client.post(url)["Location"] == reverse("session_detail", args=[zoom_session.public_id])
    zoom_session.refresh_from_db()
    assert (zoom_session.platform, zoom_session.meeting_url) == ("diadi", "")
    event = SessionEvent.objects.get(session=zoom_session, type="platform_changed")
    assert event.data["previousPlatform"] == "zoom"
    assert event.data["platform"] == "diadi"

    html = _page(client, creator, zoom_session)
    assert "David moved this session from Zoom to the Diadi browser room." in html
    assert "Start the session" in html
    assert "Switch to the browser room" not in html


def test_a_live_session_cannot_move(client, creator, make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    from facilitation import services

    services.start(session, None)
    session.refresh_from_db()
    client.force_login(creator)
    client.post(reverse("session_browser_room", args=[session.public_id]))
    assert not SessionEvent.objects.filter(session=session, type="platform_changed").exists()


def test_an_outsider_gets_404(client, outsider, zoom_session):
    client.force_login(outsider)
    response = client.post(reverse("session_browser_room", args=[zoom_session.public_id]))
    assert response.status_code == 404
    zoom_session.refresh_from_db()
    assert zoom_session.platform == "zoom"
