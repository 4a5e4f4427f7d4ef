"""Where the browser room's microphone is offered, and what both people are told it hears."""

import pytest
from django.urls import reverse

from sessions.models import Platform
from sessions.state import Action, transition

pytestmark = pytest.mark.django_db

NOTICE = "analysed live, as it arrives, only to tell who is speaking when"
NOT_RECORDED = "The audio itself is never recorded: it is not stored anywhere."


def _room(client, user, session) -> str:
    client.force_login(user)
    return client.get(reverse("live_room", args=[session.public_id])).content.decode()


@pytest.mark.parametrize("actions", [[], [Action.START], [Action.START, Action.PAUSE]])
def test_the_live_room_of_the_diadi_room_offers_the_microphone(
    client, creator, make_session, invitee_user, actions
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    for action in actions:
        transition(session, action)
    html = _room(client, creator, session)
    assert "Join with microphone" in html
    assert f'data-audio-url="/ws/sessions/{session.public_id}/audio/"' in html
    assert NOTICE in html and NOT_RECORDED in html


def test_an_ended_session_offers_no_microphone(client, creator, make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    transition(session, Action.START)
    transition(session, Action.END)
    assert "Join with microphone" not in _room(client, creator, session)


def test_a_meeting_session_offers_no_microphone(client, creator, make_session, invitee_user):
    session, _ = make_session(
        consented=True,
        invitee=invitee_user,
        platform=Platform.MEET,
        meeting_url="https://meet.google.com/abc-defg-hij",
    )
    assert "Join with microphone" not in _room(client, creator, session)


def test_a_demo_offers_no_microphone(client, creator, persona):
    client.force_login(creator)
    room = client.post(reverse("session_demo"))["Location"]
    assert "Join with microphone" not in client.get(room).content.decode()


def test_the_invitation_says_what_the_browser_room_hears(client, make_session):
    _, token = make_session()
    html = client.get(reverse("invite", args=[token])).content.decode()
    assert NOTICE in html and NOT_RECORDED in html


def test_a_meeting_invitation_makes_no_promise_about_the_meeting_audio(client, make_session):
    _, token = make_session(platform=Platform.ZOOM, meeting_url="https://zoom.us/j/1234567890")
    assert NOTICE not in client.get(reverse("invite", args=[token])).content.decode()
