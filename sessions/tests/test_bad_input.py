"""Input no page or endpoint may answer 500 to: NUL bytes (PostgreSQL cannot store or even
compare them), JSON nested a thousand deep, bodies over the limit, a missing CSRF token."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sessions.models import Session

pytestmark = pytest.mark.django_db

NUL = "%00"
BAD_IDS = [NUL, f"abc{NUL}def", "x" * 300, "not-a-session-id", "%C3%A9" * 22]
PAGES = [
    ("get", "/sessions/{id}/"),
    ("get", "/sessions/{id}/waiting-room/"),
    ("get", "/sessions/{id}/launch/"),
    ("post", "/sessions/{id}/invite/new/"),
    ("post", "/sessions/{id}/archive/"),
    ("get", "/sessions/{id}/delete/"),
    ("get", "/sessions/{id}/live/"),
    ("get", "/sessions/{id}/live/controls/"),
    ("post", "/sessions/{id}/start/"),
    ("post", "/sessions/{id}/pause/"),
]
API = [
    ("get", "/api/v1/sessions/{id}"),
    ("delete", "/api/v1/sessions/{id}/"),
    ("post", "/api/v1/sessions/{id}/consent"),
    ("post", "/api/v1/sessions/{id}/start"),
    ("post", "/api/v1/sessions/{id}/end/"),
]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_a_malformed_session_id_is_a_plain_404_page(client, creator, method, url, bad_id):
    client.force_login(creator)
    response = getattr(client, method)(url.format(id=bad_id))
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "url"), API)
def test_a_malformed_session_id_is_session_not_found_in_the_api(creator, method, url, bad_id):
    api = APIClient()
    api.force_authenticate(creator)
    response = getattr(api, method)(url.format(id=bad_id), {})
    assert response.status_code == 404
    assert response.json() == {"code": "SESSION_NOT_FOUND", "message": "Session not found"}


@pytest.fixture
def api(creator, persona):
    client = APIClient()
    client.force_authenticate(creator)
    return client


CREATE = {"goal": "Talk", "relationshipContext": "Family", "partnerName": "Ana"}


@pytest.mark.parametrize(
    "body",
    [
        {**CREATE, "facilitator": {"persona": "neutral\u0000mediator"}},
        {**CREATE, "goal": "Talk\u0000"},
        {**CREATE, "title\u0000": "x"},
    ],
)
def test_nul_in_json_is_refused_with_a_clear_message(api, body):
    response = api.post("/api/v1/sessions", body)
    assert response.status_code == 400
    assert response.json() == {
        "code": "INVALID_JSON",
        "message": "Text may not contain the NUL character (\\u0000).",
    }
    assert not Session.objects.exists()


def test_nul_in_a_query_string_is_refused(api):
    response = api.get("/api/v1/sessions?status=ready\u0000")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_nul_in_a_form_is_refused_with_a_page(client, creator, persona):
    client.force_login(creator)
    client.post(
        reverse("session_new"),
        {"step": 1, "your_name": "Maya", "partner_name": "Ana", "relationship": "Family"},
    )
    client.post(reverse("session_new"), {"step": 2, "goal": "Agree on a budget"})
    response = client.post(reverse("session_new"), {"step": 3, "persona": "neutral\x00"})
    assert response.status_code == 400
    assert "Text may not contain the NUL character" in response.content.decode()
    # The wizard still works afterwards, with the answer that was refused never stored.
    again = client.post(reverse("session_new"), {"step": 3, "persona": "neutral_mediator"})
    assert again.status_code == 302


TOO_DEEP = {"code": "INVALID_JSON", "message": "JSON may be nested at most 32 levels deep."}
TOO_LARGE = {"code": "REQUEST_TOO_LARGE", "message": "The request body may be at most 2560 KB."}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("[" * 1000 + "1" + "]" * 1000, 400, TOO_DEEP),
        ('{"a":' * 1000 + "1" + "}" * 1000, 400, TOO_DEEP),
        # Django's default limit is 2.5 MB.
        (json.dumps({**CREATE, "goal": "x" * 2_621_440}), 413, TOO_LARGE),
    ],
)
def test_json_too_deep_or_too_large_gets_a_clear_error(api, body, status, error):
    response = api.post("/api/v1/sessions", body, content_type="application/json")
    assert response.status_code == status
    assert response.json() == error
    assert not Session.objects.exists()


def test_a_cookie_request_without_its_csrf_token_is_a_clear_403(make_session, creator):
    session, _ = make_session(consented=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(creator)
    response = browser.post(f"/api/v1/sessions/{session.public_id}/start")
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"
    session.refresh_from_db()
    assert session.status == "ready"


def test_a_session_cookie_holding_nul_is_no_session(client):
    # A quoted cookie value may carry octal escapes, which Django decodes.
    response = client.get(reverse("hub"), HTTP_COOKIE='sessionid="abcdefghijk\\000lmnopqrstu"')
    assert response.status_code == 302  # to log in, as anybody without a session
    assert response["Location"].startswith(reverse("login"))


def test_an_api_token_holding_nul_is_refused(client):
    response = client.get("/api/v1/sessions", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 401
    assert response.json() == {"code": "NOT_AUTHENTICATED", "message": "Invalid token."}
