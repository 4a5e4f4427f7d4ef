import pytest
from rest_framework.test import APIClient

from sessions.models import Session, Status

pytestmark = pytest.mark.django_db

CREATE = {
    "goal": "Agree on a monthly budget",
    "relationshipContext": "Romantic partners",
    "partnerName": "David",
    "facilitator": {"persona": "neutral_mediator", "interruptAuthority": False},
    "durationMinutes": 40,
    "platform": "meet",
}


@pytest.fixture
def api(creator, persona):
    client = APIClient()
    client.force_authenticate(creator)
    return client


def test_create_answers_the_spec_shape(api):
    response = api.post("/api/v1/sessions", CREATE, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"sessionId", "status", "inviteLink", "inviteToken"}
    assert body["status"] == "draft"
    assert body["inviteLink"].endswith(f"/invite/{body['inviteToken']}/")
    session = Session.objects.get(public_id=body["sessionId"])
    assert (session.platform, session.duration_minutes, session.interrupt_authority) == (
        "meet",
        40,
        False,
    )
    assert session.direct_inquiry is True and session.silence_detection is False


def test_create_uses_sensible_defaults(api):
    response = api.post(
        "/api/v1/sessions/",
        {"goal": "Talk", "relationshipContext": "Family", "partnerName": "Ana"},
        format="json",
    )
    session = Session.objects.get(public_id=response.json()["sessionId"])
    assert (session.platform, session.duration_minutes, session.persona.slug) == (
        "diadi",
        30,
        "neutral_mediator",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"goal": "x" * 201}, "goal"),
        ({"goal": "   "}, "goal"),
        ({"durationMinutes": 4}, "durationMinutes"),
        ({"durationMinutes": 181}, "durationMinutes"),
        ({"platform": "skype"}, "platform"),
        ({"facilitator": {"persona": "nobody"}}, "facilitator"),
        ({"platform": "zoom", "meetingUrl": "https://meet.google.com/abc-defg-hij"}, "meetingUrl"),
        ({"scheduledAt": "2000-01-01T00:00:00Z"}, "scheduledAt"),
        ({"partnerName": ""}, "partnerName"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(api, change, field):
    response = api.post("/api/v1/sessions/", {**CREATE, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["message"].startswith(field)
    assert field in body["fields"]
    assert not Session.objects.exists()


def test_malformed_json_is_a_400(api):
    response = api.post("/api/v1/sessions/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_JSON"


def test_get_returns_the_session_in_camel_case(api, make_session):
    session, _ = make_session(consented=True)
    body = api.get(f"/api/v1/sessions/{session.public_id}").json()
    assert body["id"] == session.public_id
    assert body["status"] == "ready"
    assert body["relationshipContext"] == "Romantic partners"
    assert body["facilitator"] == {
        "persona": "neutral_mediator",
        "interruptAuthority": True,
        "directInquiry": True,
        "silenceDetection": False,
    }
    assert [(p["name"], p["role"], p["consented"]) for p in body["participants"]] == [
        ("Maya", "creator", True),
        ("David", "invitee", True),
    ]
    assert body["meetingUrl"] is None and body["botId"] is None


def test_list_filters_and_pages(api, make_session):
    for _ in range(3):
        make_session()
    make_session(consented=True)
    body = api.get("/api/v1/sessions?limit=2&offset=0").json()
    assert (body["total"], body["hasMore"], len(body["sessions"])) == (4, True, 2)
    body = api.get("/api/v1/sessions?limit=2&offset=2").json()
    assert (body["hasMore"], len(body["sessions"])) == (False, 2)
    body = api.get("/api/v1/sessions?status=ready").json()
    assert body["total"] == 1 and body["sessions"][0]["status"] == "ready"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=abc", "status=lost"])
def test_list_refuses_bad_parameters(api, query):
    response = api.get(f"/api/v1/sessions?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_consent_accepts_with_the_token_and_no_account(make_session):
    session, token = make_session()
    guest = APIClient()
    response = guest.post(
        f"/api/v1/sessions/{session.public_id}/consent",
        {"inviteToken": token, "inviteeName": "David", "consented": True},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert [p["consented"] for p in body["participants"]] == [True, True]
    # That browser may now read the session.
    assert guest.get(f"/api/v1/sessions/{session.public_id}").status_code == 200


def test_consent_decline_archives(make_session):
    session, token = make_session()
    response = APIClient().post(
        f"/api/v1/sessions/{session.public_id}/consent",
        {"inviteToken": token, "inviteeName": "David", "consented": False},
        format="json",
    )
    assert response.json()["status"] == "archived"


def test_consent_errors_use_the_spec_codes(make_session):
    session, token = make_session()
    _other, other_token = make_session()
    client = APIClient()
    url = f"/api/v1/sessions/{session.public_id}/consent"
    body = {"inviteToken": "wrong", "inviteeName": "David", "consented": True}
    assert client.post(url, body, format="json").json() == {
        "code": "INVALID_INVITE_TOKEN",
        "message": "Invalid invite token",
    }
    mixed = {**body, "inviteToken": other_token}
    assert client.post(url, mixed, format="json").json()["code"] == "INVALID_INVITE_TOKEN"
    missing = client.post(
        "/api/v1/sessions/nope/consent", {**body, "inviteToken": token}, format="json"
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "SESSION_NOT_FOUND")
    assert (
        client.post(url, {"inviteToken": token}, format="json").json()["code"] == "VALIDATION_ERROR"
    )
    session.refresh_from_db()
    assert session.status == Status.DRAFT


def test_delete_removes_everything_for_both(api, make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    assert session.events.exists()
    assert api.delete(f"/api/v1/sessions/{session.public_id}").status_code == 204
    assert not Session.objects.exists()
    from sessions.models import Invitation, Participant, SessionEvent

    assert not (
        Participant.objects.exists() or Invitation.objects.exists() or SessionEvent.objects.exists()
    )
    other = APIClient()
    other.force_authenticate(invitee_user)
    assert other.get(f"/api/v1/sessions/{session.public_id}").status_code == 404


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/sessions/{public_id}/consent/" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_unknown_api_paths_answer_json(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
