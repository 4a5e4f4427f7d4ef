"""Consent nobody can fake: only the invitee answers, never through a cross-site form, and a new
link racing an acceptance has exactly one winner."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sessions.models import Consent, Invitation, Role, Status

ANSWER = {"inviteeName": "David", "consented": True}


def _consent_url(session):
    return f"/api/v1/sessions/{session.public_id}/consent"


def _unchanged(session):
    session.refresh_from_db()
    invitee = session.participants.get(role=Role.INVITEE)
    invitation = Invitation.objects.get(session=session)
    return (
        session.status in (Status.DRAFT, Status.PENDING_CONSENT)
        and invitee.consent == Consent.PENDING
        and invitation.used_at is None
    )


@pytest.mark.django_db
@pytest.mark.parametrize("consented", [True, False])
@pytest.mark.parametrize("auth", ["token", "cookie"])
def test_the_creator_cannot_answer_their_own_invitation_through_the_api(
    make_session, creator, consented, auth
):
    session, token = make_session()
    client = APIClient()
    if auth == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=creator).key}")
    else:
        client.force_login(creator)
    response = client.post(
        _consent_url(session), {**ANSWER, "inviteToken": token, "consented": consented}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "OWN_INVITATION"
    # Nothing changed, and the link still works for the person it was meant for.
    assert _unchanged(session)
    partner = APIClient().post(_consent_url(session), {**ANSWER, "inviteToken": token})
    assert partner.status_code == 200 and partner.json()["status"] == "ready"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # What a form on another site can send without asking the browser first.
        (
            "inviteToken={token}&inviteeName=Mallory&consented=true",
            "application/x-www-form-urlencoded",
        ),
        ('{{"inviteToken": "{token}", "inviteeName": "Mallory", "consented": true}}', "text/plain"),
    ],
)
def test_the_consent_api_takes_json_only(make_session, body, content_type):
    session, token = make_session()
    client = APIClient()
    response = client.post(
        _consent_url(session), body.format(token=token), content_type=content_type
    )
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "sessionid" not in response.cookies
    assert _unchanged(session)


def _race(creator, session, token):
    """The creator presses "new link" while the invitee presses "accept", at the same moment."""
    creator_browser, invitee_browser = Client(), Client()
    creator_browser.force_login(creator)
    invitee_browser.get(reverse("invite", args=[token]))  # reads the invitation first
    start = threading.Barrier(2)

    def new_link():
        start.wait()
        try:
            response = creator_browser.post(reverse("new_invitation", args=[session.public_id]))
            return [str(m) for m in get_messages(response.wsgi_request)]
        finally:
            connections.close_all()

    def accept():
        start.wait()
        try:
            return invitee_browser.post(
                reverse("invite", args=[token]), {"invitee_name": "David", "agree": "on"}
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        told_creator, accepted = pool.submit(new_link), pool.submit(accept)
        return told_creator.result(), accepted.result()


@pytest.mark.django_db(transaction=True)
def test_a_new_link_racing_an_acceptance_has_one_winner(make_session, creator):
    for _ in range(10):
        session, token = make_session()
        told_creator, accept_status = _race(creator, session, token)
        session.refresh_from_db()
        live_links = Invitation.objects.filter(
            session=session, used_at__isnull=True, revoked_at__isnull=True
        )
        if accept_status == 302:  # the acceptance won
            assert session.status == Status.READY
            assert told_creator == ["David has accepted the invitation: no new link is needed."]
            assert not live_links.exists()
        else:  # the new link won: the old one is refused, the new one waits for an answer
            assert accept_status == 404
            assert session.status == Status.PENDING_CONSENT
            assert told_creator == ["Here is a new invite link. The previous one no longer works."]
            assert live_links.count() == 1
            assert not Invitation.objects.filter(session=session, used_at__isnull=False).exists()
