import pytest
from django.urls import reverse

from sessions.models import Participant, Role, Session, Status

pytestmark = pytest.mark.django_db

URL = "/sessions/new/"
IDENTITY = {
    "step": "1",
    "your_name": "Maya",
    "partner_name": "David",
    "relationship": "Co-founders",
}
GOAL = {"step": "2", "goal": "Decide who leads product and who leads sales"}
FACILITATOR = {"step": "3", "persona": "neutral_mediator", "interrupt_authority": "on"}
REVIEW = {"step": "4", "platform": "diadi", "duration_minutes": "45", "meeting_url": ""}


@pytest.fixture
def maya(client, creator, persona):
    client.force_login(creator)
    return client


def _walk(client, *steps, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    response = None
    for data in steps:
        response = client.post(URL, {**data, "direction": "next"}, headers=headers)
    return response


def test_it_requires_login(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_the_first_step_knows_your_name(maya):
    html = maya.get(URL).content.decode()
    assert 'value="Maya"' in html
    assert "Step 1 of 5" in html


def test_a_full_walk_creates_a_draft_session_with_an_invite_link(maya, creator):
    response = _walk(maya, IDENTITY, GOAL, FACILITATOR, REVIEW)
    session = Session.objects.get()
    assert response["Location"] == reverse("session_launch", args=[session.public_id])
    assert session.status == Status.DRAFT
    assert session.title == "Maya & David"
    assert session.relationship_context == "Co-founders"
    assert (session.duration_minutes, session.platform) == (45, "diadi")
    assert (session.interrupt_authority, session.direct_inquiry, session.silence_detection) == (
        True,
        False,
        False,
    )
    assert session.participants.get(role=Role.CREATOR).user == creator
    launch = maya.get(response["Location"]).content.decode()
    assert "testserver/invite/" in launch and "Copy link" in launch
    again = maya.get(response["Location"]).content.decode()
    assert "testserver/invite/" not in again  # the raw link is shown once
    assert "Make a new link" in again


def test_each_step_redirects_to_the_next_without_javascript(maya):
    assert _walk(maya, IDENTITY)["Location"] == f"{URL}?step=2"
    assert _walk(maya, GOAL)["Location"] == f"{URL}?step=3"


def test_htmx_gets_the_next_step_as_a_fragment(maya):
    response = _walk(maya, IDENTITY, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{URL}?step=2"
    assert "<html" not in html and "Session goal" in html and "Step 2 of 5" in html


def test_errors_show_next_to_the_field_and_nothing_is_created(maya):
    response = _walk(maya, {**IDENTITY, "partner_name": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = _walk(maya, IDENTITY, {**GOAL, "goal": "x" * 201})
    assert "at most 200 characters" in response.content.decode()
    assert not Session.objects.exists()


def test_something_else_needs_words(maya):
    html = _walk(maya, {**IDENTITY, "relationship": "other"}).content.decode()
    assert "Say in a few words" in html
    response = _walk(
        maya, {**IDENTITY, "relationship": "other", "relationship_other": "Neighbours"}
    )
    assert response.status_code == 302


def test_back_keeps_what_was_typed_even_when_unfinished(maya):
    _walk(maya, IDENTITY)
    maya.post(URL, {"step": "2", "goal": "Half a tho", "direction": "back"})
    assert 'value="David"' in maya.get(f"{URL}?step=1").content.decode()
    assert "Half a tho" in maya.get(f"{URL}?step=2").content.decode()


def test_unticked_toggles_stay_unticked_after_going_back(maya):
    _walk(maya, IDENTITY, GOAL, {"step": "3", "persona": "neutral_mediator"})
    html = maya.get(f"{URL}?step=3").content.decode()
    assert 'name="interrupt_authority" id="id_interrupt_authority" checked' not in html
    assert 'name="interrupt_authority"' in html


@pytest.mark.parametrize(
    ("platform", "url", "message"),
    [
        ("zoom", "", "Paste the Zoom link"),
        ("meet", "https://zoom.us/j/123", "not a Google Meet meeting link"),
        ("teams", "http://teams.microsoft.com/l/meetup-join/x", "start with https://"),
    ],
)
def test_meeting_links_are_checked_per_platform(maya, platform, url, message):
    response = _walk(
        maya, IDENTITY, GOAL, FACILITATOR, {**REVIEW, "platform": platform, "meeting_url": url}
    )
    assert message in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "ok"), [("4", False), ("5", True), ("180", True), ("181", False)]
)
def test_duration_is_between_5_and_180_minutes(maya, minutes, ok):
    response = _walk(maya, IDENTITY, GOAL, FACILITATOR, {**REVIEW, "duration_minutes": minutes})
    assert (response.status_code == 302) is ok
    assert Session.objects.exists() is ok


def test_a_schedule_must_be_in_the_future(maya):
    response = _walk(
        maya, IDENTITY, GOAL, FACILITATOR, {**REVIEW, "scheduled_at": "2001-01-01T10:00"}
    )
    assert "Pick a time in the future" in response.content.decode()


def test_an_unknown_persona_is_refused(maya):
    response = _walk(maya, IDENTITY, GOAL, {**FACILITATOR, "persona": "evil"})
    assert "Choose one of the facilitators shown" in response.content.decode()


def test_the_last_step_rechecks_earlier_answers(maya, persona):
    _walk(maya, IDENTITY, GOAL, FACILITATOR)
    persona.is_active = False
    persona.save()
    response = _walk(maya, REVIEW)
    assert response.status_code == 200
    assert "Choose one of the facilitators shown" in response.content.decode()
    assert not Session.objects.exists()


def test_the_review_step_summarises_the_answers(maya):
    _walk(maya, IDENTITY, GOAL, FACILITATOR)
    html = maya.get(f"{URL}?step=4").content.decode()
    assert (
        "Decide who leads product" in html and "Neutral Mediator" in html and "Co-founders" in html
    )


def test_a_new_link_voids_the_old_one(maya):
    _walk(maya, IDENTITY, GOAL, FACILITATOR, REVIEW)
    session = Session.objects.get()
    first = maya.get(reverse("session_launch", args=[session.public_id])).content.decode()
    old_link = first.split('id="invite-link" type="text" readonly value="')[1].split('"')[0]
    maya.post(reverse("new_invitation", args=[session.public_id]))
    second = maya.get(reverse("session_launch", args=[session.public_id])).content.decode()
    new_link = second.split('id="invite-link" type="text" readonly value="')[1].split('"')[0]
    assert new_link != old_link
    assert maya.get(old_link).status_code == 404


def test_no_participant_is_counted_twice(maya):
    _walk(maya, IDENTITY, GOAL, FACILITATOR, REVIEW)
    assert Participant.objects.count() == 2


def test_it_does_not_skip_ahead_past_unanswered_steps(maya):
    assert maya.get(f"{URL}?step=4")["Location"] == f"{URL}?step=1"
    _walk(maya, IDENTITY)
    assert maya.get(f"{URL}?step=4")["Location"] == f"{URL}?step=2"
    assert maya.get(f"{URL}?step=2").status_code == 200


def test_nonsense_step_numbers_fall_back_to_a_real_step(maya):
    assert maya.get(f"{URL}?step=abc").status_code == 200
    assert maya.get(f"{URL}?step=-3").status_code == 200
    assert maya.post(URL, {"step": "99", "direction": "next"}).status_code in (200, 302)
