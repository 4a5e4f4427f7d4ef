"""Fixtures of the facilitation tests (shared ones are in the repository's conftest.py)."""

import pytest

from facilitation import services
from facilitation.tests.meeting_support import fake_meetingbaas, meeting_server  # noqa: F401
from sessions.models import Session


@pytest.fixture
def live(make_session, invitee_user) -> Session:
    """A browser-room session both people consented to, started."""
    session, _ = make_session(consented=True, invitee=invitee_user)
    services.start(session, None)
    session.refresh_from_db()
    return session
