"""Who may see what: both participants in, everybody else 404 (never learns it exists)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from sessions.models import new_public_id

pytestmark = pytest.mark.django_db

PAGES = [
    ("get", "session_detail"),
    ("get", "waiting_room"),
    ("get", "session_launch"),
    ("post", "new_invitation"),
    ("post", "session_archive"),
    ("get", "session_delete"),
    ("post", "session_delete"),
]
API = [("get", "/api/v1/sessions/{id}/"), ("delete", "/api/v1/sessions/{id}/")]


@pytest.fixture
def world(make_session, creator, invitee_user, outsider):
    """A consented session and a client per kind of person."""
    session, _ = make_session(consented=True, invitee=invitee_user)
    guest_session, guest_token = make_session()
    clients = {}
    for name, user in (("creator", creator), ("invitee", invitee_user), ("outsider", outsider)):
        clients[name] = Client()
        clients[name].force_login(user)
    clients["anonymous"] = Client()
    guest = Client()
    guest.post(
        reverse("invite", args=[guest_token]),
        {"answer": "accept", "invitee_name": "Guest", "agree": "on"},
    )
    clients["guest"] = guest
    return session, guest_session, clients


def _call(client, method, url):
    return getattr(client, method)(url)


@pytest.mark.parametrize(("method", "name"), PAGES)
@pytest.mark.parametrize("who", ["outsider", "anonymous", "guest"])
def test_outsiders_get_404_on_every_page(world, method, name, who):
    session, _, clients = world
    response = _call(clients[who], method, reverse(name, args=[session.public_id]))
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.status == "ready"


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_a_missing_session_looks_the_same_as_someone_elses(world, method, name):
    _, _, clients = world
    assert (
        _call(clients["creator"], method, reverse(name, args=[new_public_id()])).status_code == 404
    )


@pytest.mark.parametrize("who", ["creator", "invitee"])
@pytest.mark.parametrize("name", ["session_detail", "waiting_room", "session_delete"])
def test_both_participants_see_the_session_pages(world, who, name):
    session, _, clients = world
    assert clients[who].get(reverse(name, args=[session.public_id])).status_code == 200


def test_the_guest_invitee_sees_their_own_session(world):
    _, guest_session, clients = world
    url = reverse("session_detail", args=[guest_session.public_id])
    assert clients["guest"].get(url).status_code == 200


def test_only_the_creator_manages_invite_links(world):
    session, _, clients = world
    url = reverse("session_launch", args=[session.public_id])
    assert clients["creator"].get(url).status_code == 200
    assert clients["invitee"].get(url)["Location"] == reverse(
        "session_detail", args=[session.public_id]
    )


@pytest.mark.parametrize(("method", "path"), API)
@pytest.mark.parametrize("who", ["outsider", "anonymous", "guest"])
def test_outsiders_get_404_on_every_api_route(world, method, path, who):
    session, _, clients = world
    response = _call(clients[who], method, path.format(id=session.public_id))
    assert response.status_code == 404
    assert response.json() == {"code": "SESSION_NOT_FOUND", "message": "Session not found"}


@pytest.mark.parametrize("who", ["creator", "invitee"])
def test_participants_read_the_session_over_the_api(world, who):
    session, _, clients = world
    response = clients[who].get(f"/api/v1/sessions/{session.public_id}/")
    assert response.status_code == 200
    assert response.json()["id"] == session.public_id


def test_the_guest_reads_their_session_over_the_api(world):
    _, guest_session, clients = world
    assert clients["guest"].get(f"/api/v1/sessions/{guest_session.public_id}/").status_code == 200


def test_token_auth_sees_only_your_sessions(world, outsider, creator):
    session, _, _ = world
    for user, expected in ((creator, 200), (outsider, 404)):
        token = Token.objects.create(user=user)
        client = Client(headers={"Authorization": f"Token {token.key}"})
        assert client.get(f"/api/v1/sessions/{session.public_id}/").status_code == expected


def test_the_list_needs_someone_and_shows_only_their_sessions(world):
    session, guest_session, clients = world
    assert clients["anonymous"].get("/api/v1/sessions/").status_code == 401
    assert clients["outsider"].get("/api/v1/sessions/").json()["total"] == 0
    assert [s["id"] for s in clients["guest"].get("/api/v1/sessions/").json()["sessions"]] == [
        guest_session.public_id
    ]
    invitee_ids = [s["id"] for s in clients["invitee"].get("/api/v1/sessions/").json()["sessions"]]
    assert invitee_ids == [session.public_id]


def test_a_guest_api_write_needs_the_csrf_token(world):
    _, guest_session, clients = world
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = clients["guest"].cookies
    response = strict.delete(f"/api/v1/sessions/{guest_session.public_id}/")
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"
    guest_session.refresh_from_db()
