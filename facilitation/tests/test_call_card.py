"""The call card and the muted mark of the live room, as first drawn by the server."""

import json
import re

import pytest
from django.db import transaction
from django.urls import reverse

from sessions.events import append_event
from sessions.models import Session

pytestmark = pytest.mark.django_db


def _room(client, user, session) -> str:
    client.force_login(user)
    return client.get(reverse("live_room", args=[session.public_id])).content.decode()


def _status(session, participant, status: str) -> None:
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        data = {"participantId": participant.public_id, "status": status}
        append_event(locked, "participant_status", data)


def test_the_creator_offers_the_call_and_the_invitee_answers(
    client, creator, invitee_user, live, settings
):
    settings.CALL_ICE_SERVERS = "stun:stun.example.com:3478"
    maya = _room(client, creator, live)
    assert 'data-call-role="offer"' in maya and 'data-partner="David"' in maya
    assert "Your call with David" in maya
    assert "Join with your microphone to hear David and be heard." in maya
    config = json.loads(re.search(r'id="call-config"[^>]*>(.*?)</script>', maya).group(1))
    assert config["rtc"]["iceServers"] == [{"urls": "stun:stun.example.com:3478"}]
    david = _room(client, invitee_user, live)
    assert 'data-call-role="answer"' in david and 'data-partner="Maya"' in david


def test_a_muted_person_is_marked_until_heard_again(client, creator, live):
    david = live.participants.get(role="invitee")
    badge = f'data-person="{david.public_id}"'

    def marked() -> bool:
        html = _room(client, creator, live)
        entry = html[html.index(badge) :]
        label = re.search(r"<span [^>]*data-muted-label[^>]*>", entry).group(0)
        return "hidden" not in label

    assert not marked()
    _status(live, david, "muted")
    assert marked()
    _status(live, david, "joined")  # says nothing about the microphone
    assert marked()
    _status(live, david, "listening")
    assert not marked()


def test_a_meeting_session_has_no_call(client, creator, make_session):
    session, _ = make_session(
        consented=True, platform="meet", meeting_url="https://meet.google.com/abc-defg-hij"
    )
    assert "data-call" not in _room(client, creator, session)
