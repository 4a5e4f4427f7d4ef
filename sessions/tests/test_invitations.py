import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sessions import services, tokens
from sessions.errors import ErrorCode, SessionError
from sessions.models import Consent, Invitation, Role, Status

pytestmark = pytest.mark.django_db


def _answer(token, **kwargs):
    return services.answer_invitation(token, consented=True, invitee_name="David", **kwargs)


def test_tokens_are_256_bits_and_stored_only_as_a_hash(make_session):
    session, token = make_session()
    invitation = Invitation.objects.get(session=session)
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    assert invitation.token_hash == tokens.digest(token)
    assert token not in invitation.token_hash


def test_a_valid_token_makes_the_session_ready(make_session):
    _session, token = make_session()
    updated, invitee, secret = _answer(token)
    assert updated.status == Status.READY
    assert invitee.consent == Consent.CONSENTED and invitee.display_name == "David"
    assert tokens.matches(secret, invitee.browser_secret_hash)


@pytest.mark.parametrize("bad", ["", "x", "nope" * 10, "a" * 500])
def test_a_wrong_token_is_refused(make_session, bad):
    session, _ = make_session()
    with pytest.raises(SessionError) as refused:
        _answer(bad)
    assert refused.value.code == ErrorCode.INVALID_INVITE_TOKEN
    session.refresh_from_db()
    assert session.status == Status.DRAFT


def test_an_expired_token_is_refused(make_session, settings):
    _session, token = make_session()
    with (
        time_machine.travel(
            timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS, seconds=1)
        ),
        pytest.raises(SessionError) as refused,
    ):
        _answer(token)
    assert refused.value.code == ErrorCode.INVALID_INVITE_TOKEN


def test_a_token_still_works_just_before_it_expires(make_session, settings):
    _, token = make_session()
    with time_machine.travel(
        timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS, seconds=-60)
    ):
        assert _answer(token)[0].status == Status.READY


def test_a_reused_token_is_refused_and_consenting_twice_changes_nothing(make_session):
    session, token = make_session()
    _answer(token)
    seq = session.events.count()
    with pytest.raises(SessionError) as refused:
        _answer(token)
    assert refused.value.code == ErrorCode.INVALID_INVITE_TOKEN
    assert session.events.count() == seq
    session.refresh_from_db()
    assert session.status == Status.READY


def test_a_token_for_another_session_is_refused(make_session):
    first, _ = make_session()
    _, other_token = make_session()
    with pytest.raises(SessionError) as refused:
        _answer(other_token, session=first)
    assert refused.value.code == ErrorCode.INVALID_INVITE_TOKEN


def test_a_new_invitation_voids_the_old_one(make_session):
    session, old = make_session()
    new = services.issue_invitation(session)
    with pytest.raises(SessionError):
        _answer(old)
    assert _answer(new)[0].status == Status.READY


def test_declining_archives_and_tells_the_creator_nothing_more(make_session):
    session, token = make_session()
    updated, invitee, secret = services.answer_invitation(
        token, consented=False, invitee_name="I don't want to talk about money again"
    )
    assert updated.status == Status.ARCHIVED
    assert invitee.consent == Consent.DECLINED and secret == ""
    assert invitee.display_name == "David"  # their words are never stored
    last = session.events.order_by("-seq")
    assert last[0].data == {"participantId": invitee.public_id, "status": "declined"}
    assert last[1].data["reason"] == "declined"


def test_opening_the_invitation_moves_draft_to_pending_consent(client, make_session):
    session, token = make_session()
    response = client.get(reverse("invite", args=[token]))
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.status == Status.PENDING_CONSENT
    client.get(reverse("invite", args=[token]))  # a second look changes nothing
    assert session.events.count() == 1


def test_the_invite_page_explains_the_ai_and_accepting_authorises_the_browser(client, make_session):
    session, token = make_session()
    html = client.get(reverse("invite", args=[token])).content.decode()
    for words in ("What it listens to", "What it may say", "What is kept", "pause the facilitator"):
        assert words in html
    assert "Maya would like to talk with you" in html
    response = client.post(
        reverse("invite", args=[token]), {"answer": "accept", "invitee_name": "Dave", "agree": "on"}
    )
    assert response["Location"] == reverse("session_detail", args=[session.public_id])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Create an account" in page.content.decode()
    session.refresh_from_db()
    assert session.status == Status.READY
    assert session.participants.get(role=Role.INVITEE).display_name == "Dave"


def test_the_invite_page_promises_only_what_this_server_can_do(client, make_session, settings):
    # Keys alone switch nothing on: without a transcription or voice adapter, the page must
    # not promise a transcript or a spoken prompt.
    settings.DEEPGRAM_API_KEY = "dg-key"
    settings.CARTESIA_API_KEY = "cartesia-key"
    _, token = make_session()
    html = client.get(reverse("invite", args=[token])).content.decode()
    assert "On this server it does not transcribe what you say" in html
    assert "It never speaks out loud in this session" in html
    assert "the transcript" not in html


def test_accepting_without_agreeing_explains_and_changes_nothing(client, make_session):
    session, token = make_session()
    response = client.post(
        reverse("invite", args=[token]), {"answer": "accept", "invitee_name": "D"}
    )
    assert response.status_code == 400
    assert "Tick this box to accept" in response.content.decode()
    assert Invitation.objects.get(session=session).used_at is None


def test_expired_used_and_unknown_tokens_get_the_same_page(client, make_session, settings):
    _, used = make_session()
    _answer(used)
    _, expired = make_session()
    Invitation.objects.filter(token_hash=tokens.digest(expired)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    pages = [client.get(reverse("invite", args=[t])) for t in (used, expired, "unknown-token")]
    assert {p.status_code for p in pages} == {404}
    # The same page, but for the per-request CSRF mask.
    assert len({re.sub(r'X-CSRFToken": "[^"]+', "", p.content.decode()) for p in pages}) == 1


def test_the_creator_opening_their_own_link_changes_nothing(client, creator, make_session):
    session, token = make_session()
    client.force_login(creator)
    html = client.get(reverse("invite", args=[token])).content.decode()
    assert "This is your own invitation" in html
    session.refresh_from_db()
    assert session.status == Status.DRAFT


def test_declining_on_the_page_shows_the_creator_only_that(client, creator, make_session):
    session, token = make_session()
    client.post(reverse("invite", args=[token]), {"answer": "decline"})
    client.force_login(creator)
    html = client.get(reverse("session_detail", args=[session.public_id])).content.decode()
    assert "David declined. This session won" in html


def test_a_guest_who_signs_up_keeps_the_session(client, make_session):
    session, token = make_session()
    client.post(
        reverse("invite", args=[token]),
        {"answer": "accept", "invitee_name": "David", "agree": "on"},
    )
    client.post(
        reverse("signup"),
        {
            "first_name": "David",
            "username": "david2",
            "email": "david2@example.com",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    invitee = session.participants.get(role=Role.INVITEE)
    assert invitee.user is not None and invitee.user.username == "david2"
