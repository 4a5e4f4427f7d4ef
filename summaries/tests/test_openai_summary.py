"""The recap written by OpenAI, against a local fake speaking its protocol over real HTTP."""

import json

import pytest
from django.urls import reverse

from summaries.models import Summary
from summaries.tests.conftest import made, queued

pytestmark = pytest.mark.django_db

REPLY = {
    "consensus_summary": "Maya and David planned the trip: flights, the loan and the deposit.",
    "key_agreements": [
        {"title": "Split the deposit", "description": "Half each, agreed by both."},
    ],
    "action_items": [
        {
            "text": "David will book the flights",
            "owner": "David",
            "commitment": "committed",
            "quote": "I will book the flights tomorrow morning.",
        },
        # The model got this one wrong: the words hedge, so it stays tentative.
        {
            "text": "Maya will call the bank about the loan",
            "owner": "Maya",
            "commitment": "committed",
            "quote": "I might call the bank about the loan on Friday.",
        },
        {
            "text": "Look at hotels together",
            "owner": "both",
            "commitment": "tentative",
            "quote": "",
        },
    ],
    "open_disagreements": ["Which hotel, which depends on the dates."],
}


def test_the_structured_result_is_stored_and_rendered(client, creator, talked, fake_openai):
    fake_openai.answer(REPLY)
    session = talked()
    summary = made_now(session)
    assert summary.status == Summary.Status.READY
    assert summary.made_offline is False and summary.model_name == "gpt-4o-mini"
    assert summary.consensus == REPLY["consensus_summary"]
    assert summary.open_points == ["Which hotel, which depends on the dates."]
    assert [(a.title, a.description) for a in summary.agreements.all()] == [
        ("Split the deposit", "Half each, agreed by both.")
    ]
    assert [(i.text, i.owner, i.commitment) for i in summary.action_items.all()] == [
        ("David will book the flights", "invitee", "committed"),
        ("Maya will call the bank about the loan", "creator", "tentative"),
        ("Look at hotels together", "both", "tentative"),
    ]

    client.force_login(creator)
    html = client.get(reverse("recap", args=[session.public_id])).content.decode()
    assert REPLY["consensus_summary"] in html
    assert "Split the deposit" in html and "Which hotel" in html
    assert "Made offline" not in html
    assert html.count('data-commitment="committed"') == 1
    assert html.count('data-commitment="tentative"') == 2


def made_now(session):
    queued(session)
    return made(session)


def test_the_request_asks_for_a_strict_schema_and_keeps_hedges(talked, fake_openai):
    made_now(talked())
    [request] = fake_openai.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["authorization"] == "Bearer sk-test-fake"
    body = request["body"]
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]
    assert schema["strict"] is True
    owner = schema["schema"]["properties"]["action_items"]["items"]["properties"]["owner"]
    assert owner["enum"] == ["Maya", "David", "both", "unassigned"]
    system, user = body["messages"]
    assert "I might" in system["content"] and "tentative" in system["content"]
    assert "Goal of the conversation: Agree on a monthly budget" in user["content"]
    assert "[0:21] David: I will book the flights tomorrow morning." in user["content"]


def test_i_might_stays_hedged_and_i_will_is_a_commitment(talked, fake_openai):
    # The fake's own answer, made from the transcript by plain rules.
    summary = made_now(talked())
    items = {i.quote: (i.owner, i.commitment) for i in summary.action_items.all()}
    assert items["I will book the flights tomorrow morning."] == ("invitee", "committed")
    assert items["I might call the bank about the loan on Friday."] == ("creator", "tentative")


def test_a_long_transcript_is_read_in_parts_then_merged(talked, fake_openai, settings):
    settings.SUMMARY_CHUNK_CHARS = 200
    talk = [
        ("a" if n % 2 == 0 else "b", n * 10, n * 10 + 8, f"Point number {n}: I will do task {n}.")
        for n in range(24)
    ]
    summary = made_now(talked(talk))
    bodies = fake_openai.bodies()
    parts, merge = bodies[:-1], bodies[-1]
    transcripts = [b["messages"][1]["content"].split("words):\n", 1)[1] for b in parts]
    assert len(parts) > 1
    assert all(len(t) <= 200 for t in transcripts)
    assert all(
        f"This is part {n} of {len(parts)} of the transcript" in b["messages"][1]["content"]
        for n, b in enumerate(parts, start=1)
    )
    # Every line is read once, in order, across the parts.
    said = [line.split(": ", 1)[1] for t in transcripts for line in t.splitlines()]
    assert said == [text for _, _, _, text in talk]
    assert merge["messages"][1]["content"].startswith("Goal of the conversation")
    drafts = json.loads(merge["messages"][1]["content"].split("in order:\n", 1)[1])
    assert len(drafts) == len(parts)
    # The fake merges by putting the parts' lists together.
    assert summary.action_items.count() == 24
    assert summary.progress == 100


def test_a_line_longer_than_a_part_is_cut_between_sentences(talked, fake_openai, settings):
    settings.SUMMARY_CHUNK_CHARS = 120
    sentences = [f"Sentence {n} of a long turn." for n in range(12)]
    made_now(talked([("a", 0, 300, " ".join(sentences))]))
    bodies = fake_openai.bodies()[:-1]
    transcripts = [b["messages"][1]["content"].split("words):\n", 1)[1] for b in bodies]
    assert all(len(t) <= 120 for t in transcripts)
    assert all(t.startswith("[0:00] Maya: ") for t in transcripts)
    assert " ".join(t.removeprefix("[0:00] Maya: ") for t in transcripts) == " ".join(sentences)


def test_a_failing_api_ends_failed_and_trying_again_works(
    client, creator, talked, fake_openai, settings
):
    settings.OPENAI_MAX_RETRIES = 1
    fake_openai.fail(500)
    session = talked()
    summary = made_now(session)
    assert summary.status == Summary.Status.FAILED
    assert summary.reason == (
        "The recap could not be written: OpenAI had a problem answering (500). (2 tries)"
    )
    assert len(fake_openai.requests) == 2
    client.force_login(creator)
    html = client.get(reverse("recap", args=[session.public_id])).content.decode()
    assert "OpenAI had a problem answering (500)" in html and "Try again" in html

    fake_openai.answer(REPLY)  # OpenAI is back
    client.post(reverse("recap_retry", args=[session.public_id]))
    summary = made(session)  # the worker the retry queued
    assert summary.status == Summary.Status.READY and summary.reason == ""
    assert summary.consensus == REPLY["consensus_summary"]
    assert len(fake_openai.requests) == 3


def test_a_refused_key_fails_at_once_with_the_reason(talked, fake_openai):
    fake_openai.fail(401)
    summary = made_now(talked())
    assert summary.status == Summary.Status.FAILED
    assert summary.reason == (
        "The recap could not be written: OpenAI refused this server's API key (401)."
    )
    assert len(fake_openai.requests) == 1  # a wrong key does not get right by asking again


def test_a_server_that_does_not_answer_in_time_fails_after_the_retries(
    talked, fake_openai, settings
):
    settings.OPENAI_TIMEOUT = 0.5
    settings.OPENAI_MAX_RETRIES = 1
    fake_openai.slow(3)
    summary = made_now(talked())
    assert summary.status == Summary.Status.FAILED
    assert summary.reason.endswith("OpenAI did not answer in time. (2 tries)")
    assert len(fake_openai.requests) == 2


def test_server_errors_are_retried_and_a_later_answer_is_used(talked, fake_openai):
    fake_openai.fail(503, times=2)
    summary = made_now(talked())
    assert summary.status == Summary.Status.READY
    assert len(fake_openai.requests) == 3


def test_an_answer_outside_the_schema_is_a_failure_not_a_recap(talked, fake_openai, settings):
    settings.OPENAI_MAX_RETRIES = 0
    fake_openai.answer({"consensus_summary": "Fine.", "key_agreements": "none"})
    summary = made_now(talked())
    assert summary.status == Summary.Status.FAILED
    assert "not a valid recap" in summary.reason
    assert not summary.agreements.exists()


def test_without_words_it_is_made_offline_even_with_a_key(talked, fake_openai):
    silent = [("a", 0, 30, ""), ("b", 31, 40, "")]
    summary = made_now(talked(silent))
    assert summary.status == Summary.Status.READY
    assert summary.made_offline is True
    assert "no transcript" in summary.offline_because
    assert fake_openai.requests == []
