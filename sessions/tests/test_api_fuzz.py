"""Schemathesis drives every operation of the OpenAPI schema with generated input, on sessions
in every status: no 500s."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from facilitation import services as facilitation
from sessions import services
from sessions.models import Status
from sessions.state import Action, transition

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Fewer per operation here: they run once for each of the seven statuses, and the suite
# must stay within its time on PostgreSQL.
FUZZ_EACH_STATUS = settings(FUZZ, max_examples=6)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's WSGI handler closes the database connection after each request; the test's
    # transaction lives on that connection (Django's own test client does the same).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _auth(user) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


@pytest.fixture
def auth(creator):
    return _auth(creator)


@pytest.mark.django_db
# The session's creator, and someone who is not in it. (The parameter also gives each
# operation's test an id of its own, which pytest-xdist needs to hand them out.)
@pytest.mark.parametrize("who", ["creator", "outsider"])
@schema.parametrize()
@FUZZ
def test_no_generated_request_answers_500(case, who, request, make_session):
    make_session()
    response = case.call(headers=_auth(request.getfixturevalue(who)))
    case.validate_response(response, checks=[not_a_server_error])


def _session_in(status, make_session, invitee):
    """A session brought to `status` the way people bring it there."""
    if status in (Status.DRAFT, Status.PENDING_CONSENT):
        session, token = make_session()
        if status == Status.PENDING_CONSENT:
            services.open_invitation(services.find_invitation(token))
        return session
    session, _ = make_session(consented=True, invitee=invitee)
    moves = {
        Status.READY: [],
        Status.IN_PROGRESS: [facilitation.start],
        Status.PAUSED: [facilitation.start, facilitation.pause],
        Status.ENDED: [facilitation.start, facilitation.end],
        Status.ARCHIVED: [lambda s, by: transition(s, Action.ARCHIVE, by=by)],
    }[status]
    creator = session.participants.get(role="creator")
    for move in moves:
        session = move(session, creator)
    assert session.status == status
    return session


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(Status))
# Creating a session does not depend on any other's status.
@schema.exclude(method="POST", path="/api/v1/sessions/").parametrize()
@FUZZ_EACH_STATUS
def test_no_request_on_a_session_in_any_status_answers_500(
    case, status, auth, make_session, invitee_user
):
    session = _session_in(status, make_session, invitee_user)
    if "public_id" in (case.path_parameters or {}):
        case.path_parameters["public_id"] = session.public_id
    response = case.call(headers=auth)
    case.validate_response(response, checks=[not_a_server_error])
