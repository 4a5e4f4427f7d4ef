"""Start, pause (the kill switch), resume and end: the API, the live room's buttons, the demo."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from facilitation.models import FacilitationRun
from sessions.models import Session, Status
from sessions.state import Action, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(creator, invitee_user, outsider):
    clients = {}
    for name, user in (("maya", creator), ("david", invitee_user), ("olga", outsider)):
        clients[name] = APIClient()
        clients[name].force_authenticate(user)
    return clients


@pytest.fixture
def ready(make_session, invitee_user):
    return make_session(consented=True, invitee=invitee_user)[0]


def _post(client, session, action, body=None):
    return client.post(f"/api/v1/sessions/{session.public_id}/{action}", body or {}, format="json")


def test_start_answers_the_spec_shape(people, ready):
    response = _post(people["maya"], ready, "start")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["botId"] is None and body["clientId"].startswith("run_")
    assert body["eventUrl"].endswith(f"/ws/sessions/{ready.public_id}/events/")
    assert FacilitationRun.objects.get(session=ready).source == {"kind": "browser"}


def test_either_participant_pauses_resumes_and_ends(people, ready):
    _post(people["maya"], ready, "start")
    assert _post(people["david"], ready, "pause").json() == {"status": "paused"}
    assert _post(people["maya"], ready, "resume").json() == {"status": "in_progress"}
    # The recap is made in the background: not available yet, on its way.
    assert _post(people["david"], ready, "end").json() == {
        "status": "ended",
        "summaryAvailable": False,
        "summaryStatus": "pending",
    }
    reasons = [e.data.get("reason") for e in ready.events.filter(type="session_state")]
    assert "kill_switch_activated" in reasons


@pytest.mark.parametrize(
    ("setup", "action", "code"),
    [
        ([], "pause", "SESSION_NOT_IN_PROGRESS"),
        ([], "resume", "SESSION_NOT_PAUSED"),
        ([], "end", "SESSION_NOT_IN_PROGRESS"),
        ([Action.START], "start", "SESSION_NOT_READY"),
        ([Action.START], "resume", "SESSION_NOT_PAUSED"),
        ([Action.START, Action.PAUSE], "pause", "SESSION_NOT_IN_PROGRESS"),
        ([Action.START, Action.END], "start", "SESSION_NOT_READY"),
    ],
)
def test_wrong_moves_get_the_spec_codes_and_change_nothing(people, ready, setup, action, code):
    for move in setup:
        transition(ready, move)
    before = Session.objects.get(pk=ready.pk).status
    response = _post(people["maya"], ready, action)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Session.objects.get(pk=ready.pk).status == before


def test_a_session_waiting_for_consent_cannot_start(people, make_session):
    waiting, _ = make_session()
    assert _post(people["maya"], waiting, "start").json()["code"] == "SESSION_NOT_READY"


def test_meeting_platforms_need_a_valid_link_and_then_say_when_meetings_are_off(
    people, make_session, settings
):
    settings.MEETING_BAAS_API_KEY = ""
    session, _ = make_session(consented=True, platform="zoom")
    assert _post(people["maya"], session, "start").json()["code"] == "INVALID_MEETING_URL"
    bad = _post(
        people["maya"], session, "start", {"meetingUrl": "https://meet.google.com/abc-defg-hij"}
    )
    assert bad.json()["code"] == "INVALID_MEETING_URL"
    good = _post(people["maya"], session, "start", {"meetingUrl": "https://zoom.us/j/85512345678"})
    assert good.status_code == 400
    assert good.json()["code"] == "PLATFORM_NOT_AVAILABLE"
    assert "MEETING_BAAS_API_KEY" in good.json()["message"]
    session.refresh_from_db()
    assert session.status == Status.READY


@pytest.mark.parametrize("action", ["start", "pause", "resume", "end"])
def test_outsiders_get_404(people, ready, action):
    response = _post(people["olga"], ready, action)
    assert response.status_code == 404
    assert response.json()["code"] == "SESSION_NOT_FOUND"


def test_the_live_room_shows_what_the_status_allows(client, creator, ready):
    client.force_login(creator)
    url = reverse("live_room", args=[ready.public_id])
    assert "Start the session" in client.get(url).content.decode()
    client.post(reverse("session_control", args=[ready.public_id, "start"]))
    html = client.get(url).content.decode()
    assert "Pause the facilitator" in html and "End the session" in html
    assert ready.goal in html
    client.post(reverse("session_control", args=[ready.public_id, "pause"]))
    html = client.get(url).content.decode()
    assert "Resume the facilitator" in html and "Paused." in html
    client.post(reverse("session_control", args=[ready.public_id, "resume"]))
    response = client.post(reverse("session_control", args=[ready.public_id, "end"]))
    assert response["Location"] == reverse("session_detail", args=[ready.public_id])
    assert Session.objects.get(pk=ready.pk).status == Status.ENDED


def test_htmx_buttons_get_the_controls_fragment(client, creator, ready):
    client.force_login(creator)
    client.post(reverse("session_control", args=[ready.public_id, "start"]))
    response = client.post(
        reverse("session_control", args=[ready.public_id, "pause"]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and "Resume the facilitator" in html


def test_a_refused_button_explains_itself(client, creator, ready):
    client.force_login(creator)
    response = client.post(reverse("session_control", args=[ready.public_id, "pause"]), follow=True)
    assert "Session not in progress" in response.content.decode()


def test_a_refused_htmx_button_explains_itself_in_place(client, creator, ready):
    client.force_login(creator)
    response = client.post(
        reverse("session_control", args=[ready.public_id, "pause"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Session not in progress" in html and "Start the session" in html


@pytest.mark.parametrize("name", ["live_room", "live_controls"])
def test_outsiders_get_404_on_live_pages(ready, outsider, name):
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse(name, args=[ready.public_id])).status_code == 404
    assert Client().get(reverse(name, args=[ready.public_id])).status_code == 404


@pytest.mark.parametrize("action", ["start", "pause", "resume", "end"])
def test_outsiders_get_404_on_live_buttons(ready, outsider, action):
    client = Client()
    client.force_login(outsider)
    url = reverse("session_control", args=[ready.public_id, action])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405


def test_try_a_demo_starts_a_scripted_session(client, creator, persona):
    client.force_login(creator)
    assert "Try a demo" in client.get(reverse("hub")).content.decode()
    response = client.post(reverse("session_demo"))
    session = Session.objects.get()
    assert response["Location"] == reverse("live_room", args=[session.public_id])
    assert session.is_demo and session.status == Status.IN_PROGRESS
    run = FacilitationRun.objects.get(session=session)
    assert run.source["kind"] == "simulation" and run.source["speed"] == 4.0
    assert client.get(response["Location"]).status_code == 200


def test_the_demo_needs_an_account(client, persona):
    assert client.post(reverse("session_demo"))["Location"].startswith(reverse("login"))


def test_try_a_demo_again_returns_to_the_demo_still_playing(client, creator, persona):
    client.force_login(creator)
    first = client.post(reverse("session_demo"))["Location"]
    again = client.post(reverse("session_demo"))["Location"]
    assert again == first
    assert Session.objects.count() == 1


def test_an_abandoned_demo_is_set_aside_for_a_new_one(client, creator, persona):
    client.force_login(creator)
    client.post(reverse("session_demo"))
    abandoned = Session.objects.get()
    # Its run stopped beating a while ago (the server was stopped, say).
    FacilitationRun.objects.filter(session=abandoned).update(
        heartbeat_at=timezone.now() - timedelta(minutes=2)
    )
    fresh = client.post(reverse("session_demo"))["Location"]
    abandoned.refresh_from_db()
    assert abandoned.status == Status.ENDED
    assert fresh != reverse("live_room", args=[abandoned.public_id])
    assert Session.objects.filter(status=Status.IN_PROGRESS).count() == 1


def test_the_demo_page_explains_before_it_starts(client, creator, persona):
    client.force_login(creator)
    html = client.get(reverse("session_demo")).content.decode()
    assert "Start the demo" in html
    # one_sided.yaml at the default 4x: Priya and Tom, 10 minutes in 2.5.
    assert "Priya and Tom talk it through" in html
    assert "4 times faster than life, so the 10 minutes take about 3." in html
    assert not Session.objects.exists()
