"""The recap in the JSON API: spec shapes, camelCase, {code, message} errors, 404 for others."""

import pytest
from rest_framework.test import APIClient

from summaries.models import ActionItem, Agreement, Rating, Summary
from summaries.tests.conftest import made, people, queued

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def maya(creator):
    return api_for(creator)


@pytest.fixture
def david(invitee_user):
    return api_for(invitee_user)


@pytest.fixture
def recap(talked):
    session = talked()
    queued(session)
    made(session)
    return session


def path(session, rest=""):
    return f"/api/v1/sessions/{session.public_id}/{rest}"


def test_the_summary_while_it_is_made_is_not_available_with_its_progress(maya, talked):
    session = talked()
    summary = queued(session)
    Summary.objects.filter(pk=summary.pk).update(status="running", progress=40, stage="Writing")
    response = maya.get(path(session, "summary"))
    assert response.status_code == 404
    assert response.json() == {
        "code": "SUMMARY_NOT_AVAILABLE",
        "message": "Summary not available yet",
        "summaryStatus": "running",
        "progress": 40,
        "stage": "Writing",
        "reason": "",
    }
    live = talked(end=False)
    assert maya.get(path(live, "summary")).json()["summaryStatus"] == "not_ended"


def test_the_summary_has_the_spec_shape(maya, recap):
    maya_p, david_p = people(recap)
    body = maya.get(path(recap, "summary")).json()
    assert body["sessionId"] == recap.public_id
    assert body["durationMinutes"] == 3  # the session ended at 180 s
    assert body["actionItems"] == [
        "I will book the flights tomorrow morning.",
        "I might call the bank about the loan on Friday.",
    ]
    # Maya spoke 38 s and David 73 s.
    assert body["balance"] == {
        "participantA": {"id": maya_p.public_id, "name": "Maya", "percentage": 34},
        "participantB": {"id": david_p.public_id, "name": "David", "percentage": 66},
        "status": "mild_imbalance",
    }
    assert body["interventionCount"] == 0
    [agreement] = body["keyAgreements"]
    assert agreement["title"] == "Can we split the deposit half and half?"
    assert set(agreement) >= {"title", "description", "id", "version", "confirmedBy"}
    details = body["actionItemDetails"]
    assert [(d["owner"], d["commitment"]) for d in details] == [
        (david_p.public_id, "committed"),
        (maya_p.public_id, "tentative"),
    ]
    assert body["madeOffline"] is True
    assert body["talkOverTime"]["bucketMs"] == 15_000
    assert body["talkOverTime"]["buckets"][0] == {
        "startMs": 0,
        "endMs": 15_000,
        "speakingMs": {maya_p.public_id: 15_000, david_p.public_id: 0},
    }


def test_others_get_404_on_every_route(recap, outsider):
    olga = api_for(outsider)
    agreement = Agreement.objects.get(summary__session=recap)
    for method, rest in (
        ("get", "summary"),
        ("delete", "summary"),
        ("post", "summary/retry"),
        ("post", "summary/agreements"),
        ("patch", f"summary/agreements/{agreement.pk}"),
        ("put", f"summary/agreements/{agreement.pk}/confirmation"),
        ("get", "rating"),
        ("put", "rating"),
    ):
        response = getattr(olga, method)(path(recap, rest), {}, format="json")
        assert response.status_code == 404, (method, rest)
        assert response.json()["code"] == "SESSION_NOT_FOUND"
    assert Summary.objects.filter(session=recap).exists()


def test_add_edit_and_confirm_agreements(maya, david, recap):
    maya_p, david_p = people(recap)
    created = maya.post(
        path(recap, "summary/agreements"), {"title": " Visit  in May ", "description": ""}
    )
    assert created.status_code == 201
    item = created.json()
    assert (item["title"], item["confirmedBy"], item["version"]) == (
        "Visit in May",
        [maya_p.public_id],
        1,
    )
    confirmed = david.put(path(recap, f"summary/agreements/{item['id']}/confirmation"))
    assert sorted(confirmed.json()["confirmedBy"]) == sorted([maya_p.public_id, david_p.public_id])
    edited = david.patch(
        path(recap, f"summary/agreements/{item['id']}"), {"title": "Visit in June", "version": 1}
    ).json()
    assert (edited["title"], edited["version"], edited["confirmedBy"]) == (
        "Visit in June",
        2,
        [david_p.public_id],
    )
    stale = maya.patch(
        path(recap, f"summary/agreements/{item['id']}"), {"title": "Visit in July", "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json() == {
        "code": "EDIT_CONFLICT",
        "message": "The other person changed this in the meantime",
        "version": 2,
    }
    withdrawn = david.delete(path(recap, f"summary/agreements/{item['id']}/confirmation"))
    assert withdrawn.json()["confirmedBy"] == []
    assert Agreement.objects.get(pk=item["id"]).title == "Visit in June"


def test_action_items_take_an_owner_by_participant_id(maya, recap):
    _, david_p = people(recap)
    body = maya.post(
        path(recap, "summary/action-items"),
        {"text": "Send the dates", "owner": david_p.public_id, "commitment": "tentative"},
        format="json",
    ).json()
    assert (body["owner"], body["commitment"]) == (david_p.public_id, "tentative")
    both = maya.patch(
        path(recap, f"summary/action-items/{body['id']}"), {"owner": "both"}, format="json"
    ).json()
    assert both["owner"] == "both" and both["text"] == "Send the dates"
    nobody = maya.patch(
        path(recap, f"summary/action-items/{body['id']}"), {"owner": None}, format="json"
    ).json()
    assert nobody["owner"] is None


@pytest.mark.parametrize(
    ("rest", "data", "field"),
    [
        ("summary/agreements", {"title": ""}, "title"),
        ("summary/agreements", {"title": "x" * 201}, "title"),
        ("summary/action-items", {"text": "Do it", "owner": "p_nobody"}, "owner"),
        ("summary/action-items", {"text": "Do it", "commitment": "maybe"}, "commitment"),
        ("rating", {"score": 0}, "score"),
        ("rating", {"score": 5, "comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(maya, recap, rest, data, field):
    before = (Agreement.objects.count(), ActionItem.objects.count(), Rating.objects.count())
    method = maya.put if rest == "rating" else maya.post
    response = method(path(recap, rest), data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["message"].startswith(field)
    assert (Agreement.objects.count(), ActionItem.objects.count(), Rating.objects.count()) == before


def test_unknown_items_and_lists_are_404(maya, recap):
    for rest in ("summary/agreements/999999", "summary/nonsense/1"):
        response = maya.patch(path(recap, rest), {"title": "x"}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "RECAP_ITEM_NOT_FOUND"


def test_rating(maya, david, recap):
    assert maya.get(path(recap, "rating")).json() == {"rating": None, "partnerRated": False}
    assert maya.put(path(recap, "rating"), {"score": 4, "comment": "Good"}).status_code == 200
    assert maya.post(path(recap, "rating"), {"score": 5}).json()["rating"]["score"] == 5
    assert david.get(path(recap, "rating")).json() == {"rating": None, "partnerRated": True}
    assert Rating.objects.get().comment == ""


def test_retry_only_what_failed(maya, talked):
    session = talked()
    summary = queued(session)
    refused = maya.post(path(session, "summary/retry"))
    assert refused.status_code == 400 and refused.json()["code"] == "SUMMARY_NOT_RETRYABLE"
    Summary.objects.filter(pk=summary.pk).update(status="failed", reason="Down")
    accepted = maya.post(path(session, "summary/retry"), {"offline": True}, format="json")
    assert accepted.status_code == 202
    summary.refresh_from_db()
    assert (summary.status, summary.offline_requested) == ("pending", True)
    assert made(session).offline_because == "you asked for a recap made without AI"


def test_delete_transcript_and_recap(david, recap):
    assert david.delete(path(recap, "summary")).status_code == 204
    assert not Summary.objects.filter(session=recap).exists()
    assert not recap.transcript.exists()
    assert david.get(path(recap, "summary")).json()["summaryStatus"] == "deleted"


def test_a_guest_invitee_writes_with_a_csrf_token(client, make_session):
    session, token = make_session()
    client.post(f"/invite/{token}/", {"invitee_name": "David", "agree": "on", "answer": "yes"})
    guest = APIClient(enforce_csrf_checks=True)
    guest.cookies = client.cookies
    # Without the token the write is refused.
    refused = guest.put(path(session, "rating"), {"score": 5}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "CSRF_FAILED")
    assert guest.get(path(session, "rating")).status_code == 200
    assert not Rating.objects.exists()
