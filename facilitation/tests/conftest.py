"""Fixtures of the facilitation tests (shared ones are in the repository's conftest.py)."""

from facilitation.tests.meeting_support import fake_meetingbaas, meeting_server  # noqa: F401
