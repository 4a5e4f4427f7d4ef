import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from facilitation.models import TranscriptSegment

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(make_session):
    session, _ = make_session(consented=True)
    return TranscriptSegment.objects.create(
        session=session,
        participant=session.participants.first(),
        start_ms=0,
        end_ms=1000,
        text="Something private",
        source="simulation",
    )


def _staff(client, *, superuser: bool = False, perms: tuple[str, ...] = ()):
    user = User.objects.create_user("staff", "s@example.com", "pw-staff-1", is_staff=True)
    user.is_superuser = superuser
    user.save()
    for codename in perms:
        user.user_permissions.add(
            Permission.objects.get(codename=codename, content_type__app_label="diadi_sessions")
        )
    client.force_login(user)
    return client


def test_staff_without_the_transcript_permission_never_see_words(client, segment):
    _staff(client, perms=("view_session", "change_session"))
    assert client.get("/admin/facilitation/transcriptsegment/").status_code == 403
    assert "Something private" not in client.get("/admin/").content.decode()


def test_the_transcript_permission_opens_transcripts_read_only(client, segment):
    _staff(client, perms=("view_transcript",))
    page = client.get("/admin/facilitation/transcriptsegment/").content.decode()
    assert "Something private" in page
    change = client.post(f"/admin/facilitation/transcriptsegment/{segment.pk}/change/", {})
    assert change.status_code == 403
    assert TranscriptSegment.objects.get().text == "Something private"
