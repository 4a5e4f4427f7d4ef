"""The recap page: only the two people see it; its forms edit, confirm, rate and delete."""

import pytest
from django.urls import reverse

from sessions import services as sessions
from sessions.models import Role
from summaries.models import ActionItem, Agreement, Rating, Summary
from summaries.tests.conftest import made, people, queued

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def recap(talked):
    session = talked(
        prompts=[{"at_s": 200, "target": None, "number": 1}],
    )
    queued(session)
    made(session)
    return session


def url(session, name="recap", *args):
    return reverse(name, args=[session.public_id, *args])


def test_only_the_two_people_see_it(client, recap, creator, invitee_user, outsider):
    for user in (creator, invitee_user):
        client.force_login(user)
        assert client.get(url(recap)).status_code == 200
    client.force_login(outsider)
    for name in ("recap", "recap_print", "recap_markdown"):
        assert client.get(url(recap, name)).status_code == 404
    assert client.post(url(recap, "recap_rate"), {"score": 5}).status_code == 404
    assert not Rating.objects.exists()
    client.logout()
    assert client.get(url(recap)).status_code == 404


def test_a_guest_invitee_sees_it_from_the_browser_they_accepted_in(client, make_session):
    session, token = make_session()
    client.post(
        reverse("invite", args=[token]), {"invitee_name": "David", "agree": "on", "answer": "yes"}
    )
    assert client.get(url(session)).status_code == 200


def test_the_board_chart_timeline_and_transcript(client, creator, recap):
    client.force_login(creator)
    html = client.get(url(recap)).content.decode()
    assert "Made offline" in html
    assert "Can we split the deposit half and half?" in html  # the agreement
    assert 'data-commitment="tentative"' in html and 'data-commitment="committed"' in html
    assert '<svg class="chart__svg"' in html and '<desc id="chart-desc">' in html
    assert "The chart as a table" in html
    assert "David, what do you think?" in html and "No answer" in html  # the timeline
    assert "I might call the bank about the loan on Friday." in html  # the transcript
    # Maya spoke 38 s, David 73 s.
    assert (
        "Maya 34 % · David 66 % over the whole session: <strong>a little one-sided</strong>" in html
    )


def test_it_shows_progress_while_it_is_made(client, creator, talked):
    session = talked()
    summary = queued(session)
    Summary.objects.filter(pk=summary.pk).update(status="running", progress=30, stage="Writing")
    client.force_login(creator)
    html = client.get(url(session)).content.decode()
    assert "Writing your recap" in html and 'value="30"' in html and "Writing" in html
    part = client.get(url(session) + "?part=all", **HTMX).content.decode()
    assert "<html" not in part and "Writing your recap" in part


def test_a_failed_recap_can_be_tried_again_from_the_page(client, creator, talked):
    session = talked()
    summary = queued(session)
    Summary.objects.filter(pk=summary.pk).update(status="failed", reason="OpenAI was down.")
    client.force_login(creator)
    html = client.get(url(session)).content.decode()
    assert "OpenAI was down." in html and "Try again" in html
    client.post(url(session, "recap_retry"))
    summary.refresh_from_db()
    assert summary.status == Summary.Status.PENDING
    assert made(session).status == Summary.Status.READY
    # Trying again what did not fail changes nothing.
    response = client.post(url(session, "recap_retry"), follow=True)
    assert "Only a recap that could not be made can be tried again" in response.content.decode()


def test_an_edit_clears_the_other_persons_confirmation(client, recap, creator, invitee_user):
    maya, david = people(recap)
    agreement = Agreement.objects.get(summary__session=recap)
    client.force_login(invitee_user)
    client.post(url(recap, "recap_confirm", "agreements", agreement.pk), {"confirmed": "1"})
    assert list(agreement.confirmed_by.all()) == [david]

    client.force_login(creator)
    part = client.post(
        url(recap, "recap_edit", "agreements", agreement.pk),
        {"title": "Split the deposit 60/40", "description": "", "version": agreement.version},
        **HTMX,
    ).content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "Split the deposit 60/40" and agreement.version == 2
    assert list(agreement.confirmed_by.all()) == [maya]  # her word; David must confirm again
    assert "Split the deposit 60/40" in part and "David: not confirmed yet" in part


def test_an_edit_of_an_older_version_keeps_both_texts(client, recap, creator, invitee_user):
    agreement = Agreement.objects.get(summary__session=recap)
    client.force_login(invitee_user)
    client.post(
        url(recap, "recap_edit", "agreements", agreement.pk),
        {"title": "David's words", "version": 1},
    )
    client.force_login(creator)
    response = client.post(
        url(recap, "recap_edit", "agreements", agreement.pk),
        {"title": "Maya's words", "version": 1},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "David changed this while you were editing" in html
    assert "David&#x27;s words" in html and 'value="Maya&#x27;s words"' in html
    agreement.refresh_from_db()
    assert agreement.title == "David's words"


def test_bad_input_is_shown_and_changes_nothing(client, recap, creator):
    client.force_login(creator)
    before = Agreement.objects.count()
    response = client.post(url(recap, "recap_add", "agreements"), {"title": "   "})
    assert response.status_code == 400
    assert "Say what you agreed." in response.content.decode()
    part = client.post(url(recap, "recap_add", "actions"), {"text": "x" * 301}, **HTMX)
    assert part.status_code == 200 and "at most 300 characters" in part.content.decode()
    assert Agreement.objects.count() == before
    assert client.post(url(recap, "recap_add", "nonsense"), {"title": "x"}).status_code == 404
    assert client.get(url(recap, "recap_add", "agreements")).status_code == 405


def test_either_person_adds_an_action_item_for_someone(client, recap, invitee_user):
    client.force_login(invitee_user)
    client.post(
        url(recap, "recap_add", "actions"),
        {
            "text": "Maya asks her sister about the dates",
            "owner": "creator",
            "commitment": "tentative",
        },
    )
    item = ActionItem.objects.get(text="Maya asks her sister about the dates")
    assert (item.owner, item.commitment, item.created_by.role) == (
        "creator",
        "tentative",
        Role.INVITEE,
    )


def test_rating_once_per_person_and_changed_by_rating_again(client, recap, creator, invitee_user):
    client.force_login(creator)
    response = client.post(url(recap, "recap_rate"), {"score": "6"})
    assert response.status_code == 400 and not Rating.objects.exists()
    client.post(url(recap, "recap_rate"), {"score": "4", "comment": "Helpful"})
    client.post(url(recap, "recap_rate"), {"score": "5", "comment": ""})
    client.force_login(invitee_user)
    part = client.post(url(recap, "recap_rate"), {"score": "3"}, **HTMX).content.decode()
    assert "You rated this session 3 out of 5" in part and "Maya has rated it too" in part
    assert sorted(Rating.objects.values_list("participant__role", "score", "comment")) == [
        ("creator", 5, ""),
        ("invitee", 3, ""),
    ]


def test_no_rating_before_the_session_ended(client, talked, creator):
    session = talked(end=False)
    client.force_login(creator)
    client.post(url(session, "recap_rate"), {"score": "5"})
    assert not Rating.objects.exists()
    assert "The recap is written when the session ends" in client.get(url(session)).content.decode()


def test_transcript_search_marks_what_it_found(client, recap, creator):
    client.force_login(creator)
    part = client.get(url(recap) + "?part=transcript&q=BANK", **HTMX).content.decode()
    assert "1 line with “BANK”" in part
    assert "I might call the <mark>bank</mark> about the loan on Friday." in part
    assert "flights" not in part
    escaped = client.get(url(recap) + "?part=transcript&q=<b>", **HTMX).content.decode()
    assert "<b>" not in escaped and "0 lines" in escaped


def test_markdown_export_and_print_page(client, recap, creator):
    client.force_login(creator)
    response = client.get(url(recap, "recap_markdown"))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="diadi-recap-maya-david.md"'
    text = response.content.decode()
    assert text.startswith("# Recap: Maya & David\n")
    assert "## Agreements\n\n- **Can we split the deposit half and half?**" in text
    assert "- I might call the bank about the loan on Friday. (who: Maya; might do;" in text
    assert "- \\[0:21\\] David: I will book the flights tomorrow morning." in text
    html = client.get(url(recap, "recap_print")).content.decode()
    assert "data-print" in html and 'class="nav"' not in html
    assert "I will book the flights tomorrow morning." in html


def test_either_person_deletes_transcript_and_recap(client, recap, invitee_user, creator):
    client.force_login(invitee_user)
    assert "Delete them for both of us" in client.get(url(recap, "recap_delete")).content.decode()
    client.post(url(recap, "recap_delete"))
    assert not Summary.objects.filter(session=recap).exists()
    assert not recap.transcript.exists()
    client.force_login(creator)
    html = client.get(url(recap)).content.decode()
    assert "were deleted by David" in html


def test_the_session_page_and_the_hub_lead_to_the_recap(client, recap, creator):
    client.force_login(creator)
    assert (
        url(recap) in client.get(reverse("session_detail", args=[recap.public_id])).content.decode()
    )
    hub = client.get(reverse("hub")).content.decode()
    assert url(recap) in hub and "Recap ready" in hub and "1 agreement" in hub


def test_the_hub_shows_where_each_recap_is(client, talked, creator):
    session = talked()
    summary = queued(session)
    client.force_login(creator)
    assert "Being written" in client.get(reverse("hub")).content.decode()
    Summary.objects.filter(pk=summary.pk).update(status="failed")
    assert "Could not be made" in client.get(reverse("hub")).content.decode()
    sessions.delete_session(session)
    assert "No recaps yet" in client.get(reverse("hub")).content.decode()
