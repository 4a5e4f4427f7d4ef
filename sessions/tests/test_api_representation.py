"""GET /api/v1/sessions/<id>: what it answers, and what it costs."""

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sessions.api.serializers import SessionSerializer
from sessions.models import Session

pytestmark = pytest.mark.django_db


def _generic(session: Session) -> dict:
    """What DRF renders from the serializer's declared fields."""
    data = dict(serializers.ModelSerializer.to_representation(SessionSerializer(), session))
    for key in ("meetingUrl", "botId", "clientId"):
        data[key] = data[key] or None
    return data


def _fetched(public_id: str) -> Session:
    return (
        Session.objects.select_related("persona")
        .prefetch_related("participants")
        .get(public_id=public_id)
    )


def test_the_written_out_shape_is_the_declared_one(make_session):
    draft, _ = make_session()
    ready, _ = make_session(
        consented=True,
        platform="meet",
        meeting_url="https://meet.google.com/abc-defg-hij",
        scheduled_at=timezone.now(),
    )
    Session.objects.filter(pk=ready.pk).update(
        started_at=timezone.now(), bot_id="bot-1", client_id="client-1"
    )
    for session in (draft, ready):
        session = _fetched(session.public_id)
        assert SessionSerializer(session).data == _generic(session)


def test_the_written_out_shape_follows_the_browsers_time_zone(make_session, settings):
    session, _ = make_session(scheduled_at=timezone.now())
    session = _fetched(session.public_id)
    with timezone.override("Europe/Paris"):
        data = SessionSerializer(session).data
        assert data == _generic(session)
    assert data["scheduledAt"].endswith(("+01:00", "+02:00"))


def test_reading_a_session_with_a_token_takes_three_queries(
    make_session, creator, django_assert_num_queries
):
    session, _ = make_session(consented=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=creator).key}")
    # The token with its user, the session with its persona, its two participants.
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/sessions/{session.public_id}")
    assert response.status_code == 200
    assert [p["role"] for p in response.json()["participants"]] == ["creator", "invitee"]
