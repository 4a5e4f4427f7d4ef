"""Schemathesis drives every operation of the OpenAPI schema with generated input: no 500s."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's WSGI handler closes the database connection after each request; the test's
    # transaction lives on that connection (Django's own test client does the same).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def auth(creator):
    return {"Authorization": f"Token {Token.objects.get_or_create(user=creator)[0].key}"}


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_no_generated_request_answers_500(case, auth, make_session):
    make_session()
    response = case.call(headers=auth)
    case.validate_response(response, checks=[not_a_server_error])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_no_request_on_a_real_session_answers_500(case, auth, make_session):
    session, _ = make_session()
    if "public_id" in (case.path_parameters or {}):
        case.path_parameters["public_id"] = session.public_id
    response = case.call(headers=auth)
    case.validate_response(response, checks=[not_a_server_error])
