from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from facilitation.models import FacilitationRun
from sessions.models import Session, Status

pytestmark = pytest.mark.django_db


def test_the_front_page_greets_a_stranger(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Talk about what matters, and both be heard." in html
    assert f'href="{reverse("signup")}?next={reverse("session_demo")}"' in html
    assert f'href="{reverse("login")}"' in html
    # What is listened to and kept, said for this server: no transcription without Deepgram.
    assert "On this server it does not transcribe what you say." in html
    assert "Never the sound of your voices." in html


def test_the_front_page_sends_a_logged_in_person_to_their_hub(client, creator):
    client.force_login(creator)
    assert client.get("/")["Location"] == reverse("hub")


def test_the_hub_requires_login(client):
    assert client.get(reverse("hub"))["Location"].startswith(reverse("login"))


def test_the_hub_shows_the_empty_states(client):
    client.force_login(User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz"))
    html = client.get(reverse("hub")).content.decode()
    assert "No active session" in html
    assert "No sessions yet" in html
    assert "No recaps yet" in html
    assert "New session" in html


def _many(make_session, n: int, status: str) -> list[Session]:
    made = [make_session()[0] for _ in range(n)]
    Session.objects.filter(pk__in=[s.pk for s in made]).update(status=status)
    return made


def test_the_hub_shows_the_latest_three_of_each_kind_and_a_way_to_the_rest(
    client, creator, make_session
):
    _many(make_session, 5, Status.ENDED)
    waiting = _many(make_session, 2, Status.PENDING_CONSENT)
    client.force_login(creator)
    html = client.get(reverse("hub")).content.decode()
    # Ended: 5 in all, 3 shown in its group and 3 among the artifacts.
    assert html.count("badge--ended") == 6
    assert f'href="{reverse("session_list")}?group=ended"' in html
    assert "All 5 ended" in html
    assert html.count("badge--pending_consent") == 2 + 1  # and the newest is the active one
    assert "?group=waiting" not in html
    assert waiting[-1].public_id in html


def test_the_hub_stays_a_few_queries_with_a_thousand_sessions(
    client, creator, make_session, django_assert_max_num_queries
):
    sessions = [make_session()[0] for _ in range(20)]
    ids = [s.pk for s in sessions]
    # 1,000 would be slow to make one by one in a test; the queries do not depend on the
    # number (bench/hub.py measures 1,000).
    Session.objects.filter(pk__in=ids[:10]).update(status=Status.ENDED)
    client.force_login(creator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("hub"))
    assert response.status_code == 200


def _demo(make_session, *, heartbeat_age: timedelta) -> Session:
    session = make_session(consented=True)[0]
    Session.objects.filter(pk=session.pk).update(
        is_demo=True, status=Status.IN_PROGRESS, started_at=timezone.now()
    )
    FacilitationRun.objects.create(
        session=session, source={"kind": "idle"}, heartbeat_at=timezone.now() - heartbeat_age
    )
    return session


def test_a_demo_that_is_playing_is_the_active_session(client, creator, make_session):
    demo = _demo(make_session, heartbeat_age=timedelta(seconds=2))
    client.force_login(creator)
    active = client.get(reverse("hub")).context["active"]
    assert active.session == demo


def test_an_abandoned_demo_never_becomes_the_active_session(client, creator, make_session):
    _demo(make_session, heartbeat_age=timedelta(minutes=5))
    client.force_login(creator)
    assert client.get(reverse("hub")).context["active"] is None


def test_the_list_pages_and_searches(client, creator, make_session):
    for i in range(25):
        make_session(title=f"Talk {i:02d}")
    make_session(title="About the holidays")
    client.force_login(creator)
    first = client.get(reverse("session_list")).content.decode()
    assert "26 sessions" in first and "page 1 of 2" in first
    assert "About the holidays" in first  # the newest first
    second = client.get(reverse("session_list") + "?page=2").content.decode()
    assert "Talk 00" in second and "About the holidays" not in second
    found = client.get(reverse("session_list") + "?q=holiday").content.decode()
    assert "1 session with “holiday”" in found and "Talk 00" not in found


def test_the_list_shows_nothing_of_other_people(client, outsider, make_session):
    make_session(title="Maya's private talk")
    client.force_login(outsider)
    assert "Maya&#x27;s private talk" not in client.get(reverse("session_list")).content.decode()


def test_the_list_answers_a_search_as_you_type_with_just_the_results(client, creator, make_session):
    make_session(title="About the holidays")
    client.force_login(creator)
    html = client.get(
        reverse("session_list") + "?q=holi", headers={"HX-Request": "true"}
    ).content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "About the holidays" in html
