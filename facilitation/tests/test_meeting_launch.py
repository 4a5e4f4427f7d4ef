"""Starting a Zoom / Meet / Teams session sends the facilitator bot in through MeetingBaas
(here the local fake): what is asked of MeetingBaas, and every way it can go wrong."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from facilitation.meetings.bots import BOT_STATUS
from facilitation.models import FacilitationRun, MeetingBot
from facilitation.tests.meeting_support import (
    ZOOM_URL,
)
from sessions.forms import ReviewForm
from sessions.models import SessionEvent, Status
from sessions.state import Action, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(creator):
    client = APIClient()
    client.force_authenticate(creator)
    return client


@pytest.fixture
def zoom_session(make_session, invitee_user):
    return make_session(
        consented=True, invitee=invitee_user, platform="zoom", meeting_url=ZOOM_URL
    )[0]


def _start(client, session, body=None):
    return client.post(f"/api/v1/sessions/{session.public_id}/start", body or {}, format="json")


def _bot_events(session):
    return [e.data for e in SessionEvent.objects.filter(session=session, type=BOT_STATUS)]


def test_start_sends_the_facilitator_into_the_call(maya, zoom_session, fake_meetingbaas):
    response = _start(maya, zoom_session)
    assert response.status_code == 200
    [bot] = fake_meetingbaas.bots.values()
    assert response.json()["botId"] == bot.bot_id
    asked = bot.request
    assert asked["meeting_url"] == ZOOM_URL
    assert asked["bot_name"] == "Neutral Mediator"
    assert asked["streaming_enabled"] is True
    streaming = asked["streaming_config"]
    assert streaming["audio_frequency"] == 16000
    # input_url: what the bot plays into the call; output_url: where it sends the call.
    assert streaming["input_url"].startswith("ws://127.0.0.1:9/ws/bots/")
    assert streaming["input_url"].endswith("/input/")
    assert streaming["output_url"].endswith("/output/")
    assert streaming["input_url"][:-7] == streaming["output_url"][:-8]
    assert asked["callback_enabled"] is True
    assert asked["callback_config"]["url"].startswith("http://127.0.0.1:9/meetingbaas/bots/")
    assert len(asked["callback_config"]["secret"]) >= 40
    # A quiet couple is never left alone: every wait as long as MeetingBaas allows.
    assert asked["timeout_config"] == {
        "waiting_room_timeout": 1800,
        "no_one_joined_timeout": 1800,
        "silence_timeout": 1800,
    }
    row = MeetingBot.objects.get(session=zoom_session)
    assert row.bot_id == bot.bot_id and row.status == "joining"
    # Only digests of the two secrets are kept.
    assert streaming["output_url"].split("/")[-3] not in row.stream_secret_hash
    zoom_session.refresh_from_db()
    assert zoom_session.status == Status.IN_PROGRESS
    assert zoom_session.bot_id == bot.bot_id
    assert FacilitationRun.objects.get(session=zoom_session).source == {"kind": "meeting"}
    assert [e["status"] for e in _bot_events(zoom_session)] == ["joining"]


def test_a_new_meeting_link_given_at_start_is_kept(
    maya, make_session, invitee_user, fake_meetingbaas
):
    session, _ = make_session(
        consented=True,
        invitee=invitee_user,
        platform="meet",
        meeting_url="https://meet.google.com/abc-defg-hij",
    )
    response = _start(maya, session, {"meetingUrl": "https://meet.google.com/xyz-wxyz-xyz"})
    assert response.status_code == 200
    [bot] = fake_meetingbaas.bots.values()
    assert bot.request["meeting_url"] == "https://meet.google.com/xyz-wxyz-xyz"
    session.refresh_from_db()
    assert session.meeting_url == "https://meet.google.com/xyz-wxyz-xyz"


@pytest.mark.parametrize(
    ("fail", "said"),
    [
        ({"fail": "401"}, "MeetingBaas refused this server's API key (MEETING_BAAS_API_KEY)."),
        (
            {"fail": "4xx", "status": 422, "message": "This Zoom meeting does not exist"},
            "MeetingBaas refused the facilitator: This Zoom meeting does not exist",
        ),
        ({"fail": "5xx"}, "MeetingBaas is having trouble (HTTP 503). Try again in a minute."),
        ({"fail": "timeout", "delay": 4}, "MeetingBaas did not answer in time. Try again."),
    ],
    ids=["401", "4xx-with-message", "5xx", "timeout"],
)
def test_a_bot_that_cannot_be_sent_leaves_the_session_ready_and_says_why(
    maya, zoom_session, fake_meetingbaas, fail, said, invitee_user
):
    fake_meetingbaas.next = fail
    response = _start(maya, zoom_session)
    assert response.status_code == 400
    assert response.json() == {
        "code": "PLATFORM_NOT_AVAILABLE",
        "message": f"The facilitator could not join: {said}",
    }
    zoom_session.refresh_from_db()
    assert zoom_session.status == Status.READY
    assert not FacilitationRun.objects.filter(session=zoom_session).exists()
    # Sent once: a creation is never repeated blindly.
    assert fake_meetingbaas.create_requests == 1
    # Both people see why, on the session page.
    assert _bot_events(zoom_session)[-1]["status"] == "failed"
    for user in (zoom_session.creator, invitee_user):
        page = Client()
        page.force_login(user)
        html = page.get(f"/sessions/{zoom_session.public_id}/").content.decode()
        assert said.replace("'", "&#x27;") in html


def test_a_bot_created_by_a_request_that_timed_out_is_sent_away(
    maya, zoom_session, fake_meetingbaas
):
    fake_meetingbaas.next = {"fail": "timeout", "delay": 4}
    assert _start(maya, zoom_session).status_code == 400
    # MeetingBaas did make a bot before its answer came too late: Diadi found it and
    # told it to leave, so nobody has a silent stranger in their call.
    [bot] = fake_meetingbaas.bots.values()
    assert bot.leave_calls == 1
    assert bot.status == "completed"


@pytest.mark.django_db(transaction=True)
def test_a_session_that_cannot_start_after_all_sends_its_bot_away(
    maya, zoom_session, fake_meetingbaas
):
    # While MeetingBaas creates the bot, the creator cancels the session.
    fake_meetingbaas.next = {"during": lambda: transition(zoom_session, Action.ARCHIVE)}
    response = _start(maya, zoom_session)
    assert response.status_code == 400
    assert response.json()["code"] == "SESSION_NOT_READY"
    [bot] = fake_meetingbaas.bots.values()
    assert bot.leave_calls == 1
    assert MeetingBot.objects.get(session=zoom_session).status == "left"
    zoom_session.refresh_from_db()
    assert zoom_session.status == Status.ARCHIVED


def test_without_a_key_meetings_are_off_and_every_page_says_so(
    maya, zoom_session, settings, creator
):
    settings.MEETING_BAAS_API_KEY = ""
    response = _start(maya, zoom_session)
    assert response.json()["code"] == "PLATFORM_NOT_AVAILABLE"
    assert "MEETING_BAAS_API_KEY" in response.json()["message"]
    page = Client()
    page.force_login(creator)
    detail = page.get(f"/sessions/{zoom_session.public_id}/").content.decode()
    assert "Diadi cannot join Zoom, Google Meet or Teams calls on this server" in detail
    # The wizard's last step, where the platform is chosen, says it too.
    assert "MeetingBaas is not set up" in ReviewForm().fields["platform"].help_text


@pytest.mark.parametrize(
    ("base", "provider", "said"),
    [
        ("", None, "PUBLIC_BASE_URL"),
        ("diadi.example.com", None, "not a web address"),
        ("http://diadi.example.com", None, "must be https://"),
        # The real MeetingBaas calls in from the internet: a local address is out of reach.
        ("https://192.168.1.20", "https://api.meetingbaas.com", "local address"),
    ],
)
def test_launch_is_refused_when_meetingbaas_could_not_reach_this_server(
    maya, zoom_session, fake_meetingbaas, settings, base, provider, said
):
    settings.PUBLIC_BASE_URL = base
    settings.MEETING_BAAS_API_URL = provider or settings.MEETING_BAAS_API_URL
    response = _start(maya, zoom_session)
    assert response.json()["code"] == "PLATFORM_NOT_AVAILABLE"
    assert said in response.json()["message"]
    assert fake_meetingbaas.bots == {}
    zoom_session.refresh_from_db()
    assert zoom_session.status == Status.READY


def test_with_meetings_on_the_wizard_offers_them(fake_meetingbaas):
    assert "the facilitator joins your call" in ReviewForm().fields["platform"].help_text
