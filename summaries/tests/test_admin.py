"""Staff see recaps and ratings; transcripts only with their own permission."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from summaries.models import Rating, Summary
from summaries.tests.conftest import made, people, queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def recap(talked):
    session = talked()
    queued(session)
    made(session)
    Rating.objects.create(session=session, participant=people(session)[0], score=4, comment="Kind")
    return session


def staff(client, *permissions):
    user = User.objects.create_user("staff", "s@example.com", "pw-staff-123", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


def test_staff_with_view_rights_read_recaps_and_ratings(client, recap):
    staff(client, "view_summary", "view_rating")
    summary = Summary.objects.get(session=recap)
    assert "Maya &amp; David" in client.get("/admin/summaries/summary/").content.decode()
    page = client.get(f"/admin/summaries/summary/{summary.pk}/change/").content.decode()
    assert "Can we split the deposit half and half?" in page
    assert "Kind" in client.get("/admin/summaries/rating/").content.decode()
    # Reading, not writing: the recap is the two people's.
    response = client.post(f"/admin/summaries/summary/{summary.pk}/change/", {"consensus": "x"})
    assert response.status_code == 403
    # No transcripts without their own permission.
    assert client.get("/admin/facilitation/transcriptsegment/").status_code == 403


def test_transcripts_need_the_dedicated_permission(client, recap):
    staff(client, "view_summary", "view_transcript")
    html = client.get("/admin/facilitation/transcriptsegment/").content.decode()
    assert "I might call the bank" in html


def test_staff_try_a_failed_recap_again(client, recap):
    staff(client, "view_summary")
    summary = Summary.objects.get(session=recap)
    Summary.objects.filter(pk=summary.pk).update(status="failed", reason="Down")
    client.post(
        "/admin/summaries/summary/", {"action": "try_again", "_selected_action": [summary.pk]}
    )
    summary.refresh_from_db()
    assert summary.status == Summary.Status.PENDING
