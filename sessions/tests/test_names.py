"""Names reach the other person as they look: no invisible characters, no text turned around by
bidi controls, and a name of nothing visible is refused on every way in."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.names import normalise_name
from sessions.models import Participant, Role, Session, Status

INVISIBLE = "\u200b\u200b\u2060"  # zero-width spaces and a word joiner
OVERRIDE = "\u202e"  # right-to-left override: "\u202ediva" shows as "avid"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("  Ma\u200bya  ", "Maya"),
        (f"{OVERRIDE}divaD", "divaD"),
        ("\u2066David\u2069 \u202aM\u202c.", "David M."),
        ("Jose\u0301", "Jos\u00e9"),  # composed (NFC): one character, as everywhere else
        ("Ana\t\u00a0Maria", "Ana Maria"),
        ("Mohammad\u200cReza", "Mohammad\u200cReza"),  # a joiner inside a word shapes letters
        (INVISIBLE, ""),
        ("\u3164\u200d", ""),  # a blank "letter" and a lone joiner draw nothing
    ],
)
def test_names_are_normalised(typed, shown):
    assert normalise_name(typed) == shown


@pytest.fixture
def api(creator, persona):
    client = APIClient()
    client.force_authenticate(creator)
    return client


@pytest.mark.django_db
def test_the_api_refuses_an_invisible_partner_name(api):
    response = api.post(
        "/api/v1/sessions",
        {"goal": "Talk", "relationshipContext": "Family", "partnerName": INVISIBLE},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "partnerName: Enter a name made of visible letters."
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_the_api_stores_names_without_bidi_controls(api):
    response = api.post(
        "/api/v1/sessions",
        {
            "goal": "Talk",
            "relationshipContext": "Family",
            "partnerName": f"{OVERRIDE}David",
            "creatorName": "Ma\u200bya",
        },
    )
    assert response.status_code == 201
    names = set(Participant.objects.values_list("display_name", flat=True))
    assert names == {"David", "Maya"}


@pytest.mark.django_db
def test_the_consent_api_refuses_an_invisible_invitee_name(make_session):
    session, token = make_session()
    response = APIClient().post(
        f"/api/v1/sessions/{session.public_id}/consent",
        {"inviteToken": token, "inviteeName": INVISIBLE, "consented": True},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "inviteeName: Enter a name made of visible letters."
    session.refresh_from_db()
    assert session.status == Status.DRAFT


@pytest.mark.django_db
def test_the_invite_page_refuses_an_invisible_name_and_normalises_a_real_one(make_session):
    session, token = make_session()
    browser = Client()
    refused = browser.post(
        reverse("invite", args=[token]), {"invitee_name": INVISIBLE, "agree": "on"}
    )
    assert refused.status_code == 400
    assert "Enter a name made of visible letters." in refused.content.decode()
    session.refresh_from_db()
    assert session.status != Status.READY
    accepted = browser.post(
        reverse("invite", args=[token]), {"invitee_name": f"Da{OVERRIDE}vid", "agree": "on"}
    )
    assert accepted.status_code == 302
    assert session.participants.get(role=Role.INVITEE).display_name == "David"


@pytest.mark.django_db
def test_the_wizard_refuses_an_invisible_partner_name(client, creator, persona):
    client.force_login(creator)
    response = client.post(
        reverse("session_new"),
        {
            "step": 1,
            "your_name": "Maya",
            "partner_name": INVISIBLE,
            "relationship": "Family",
        },
    )
    assert "Enter a name made of visible letters." in response.content.decode()
