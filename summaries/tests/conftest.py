"""Recaps of sessions that happened: a short conversation with known words and timings, a
local fake OpenAI, and a way to wait for the background maker."""

import time

import pytest

from facilitation.adapters.fake_openai import FakeOpenAI
from facilitation.models import TranscriptSegment
from sessions.events import INTERVENTION, INTERVENTION_ACK, record_event
from sessions.models import Role
from sessions.state import Action, transition
from summaries import tasks
from summaries.models import Summary

# (speaker, start s, end s, words): Maya is a, David is b.
TALK = [
    ("a", 0, 20, "I want us to sort out the flights and the deposit this week."),
    ("b", 21, 30, "I will book the flights tomorrow morning."),
    ("a", 31, 45, "I might call the bank about the loan on Friday."),
    ("b", 46, 50, "Can we split the deposit half and half?"),
    ("a", 51, 55, "Agreed."),
    ("b", 100, 160, "I'm not sure about the hotel yet, it depends on the dates."),
]


@pytest.fixture(autouse=True)
def _no_openai_by_default(settings):
    # What a developer's environment holds must not decide which recap a test gets.
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_RETRY_BACKOFF = 0.0


@pytest.fixture
def fake_openai(settings):
    """A real local server speaking OpenAI's protocol; Diadi is pointed at it."""
    fake = FakeOpenAI().start()
    settings.OPENAI_API_KEY = "sk-test-fake"
    settings.OPENAI_BASE_URL = fake.url
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.OPENAI_TIMEOUT = 5.0
    settings.OPENAI_MAX_RETRIES = 2
    yield fake
    fake.stop()


def add_talk(session, talk=TALK):
    people = {p.role: p for p in session.participants.all()}
    speakers = {"a": people[Role.CREATOR], "b": people[Role.INVITEE]}
    for speaker, start, end, text in talk:
        TranscriptSegment.objects.create(
            session=session,
            participant=speakers[speaker],
            start_ms=start * 1000,
            end_ms=end * 1000,
            text=text,
            source=TranscriptSegment.Source.SIMULATION,
        )


def add_prompt(session, at_s, target=None, ack_by=None, action="followed", number=1):
    record_event(
        session.pk,
        INTERVENTION,
        {
            "id": f"int_{number}",
            "type": "balance",
            "modality": "visual",
            "message": "David, what do you think?",
            "targetParticipant": target.public_id if target else None,
        },
        at_ms=at_s * 1000,
    )
    if ack_by is not None:
        record_event(
            session.pk,
            INTERVENTION_ACK,
            {
                "interventionId": f"int_{number}",
                "action": action,
                "participantId": ack_by.public_id,
            },
        )


@pytest.fixture
def talked(make_session, invitee_user):
    """talked(talk=TALK, end=True): a session of Maya and David (accounts) that ran, with
    these words; ended unless end=False."""

    def make(talk=TALK, *, end=True, prompts=()):
        session, _ = make_session(consented=True, invitee=invitee_user)
        session = transition(session, Action.START, at_ms=0)
        add_talk(session, talk)
        for prompt in prompts:
            add_prompt(session, **prompt)
        if end:
            last = max((t[2] for t in talk), default=0)
            session = transition(session, Action.END, at_ms=(last + 20) * 1000)
        return session

    return make


def people(session):
    found = {p.role: p for p in session.participants.all()}
    return found[Role.CREATOR], found[Role.INVITEE]


def queued(session):
    """The recap row, as the ENDED hook creates it (tests without transactions never commit,
    so the hook does not run in them)."""
    summary, _ = Summary.objects.get_or_create(session=session)
    return summary


def made(session, timeout=60):
    """The session's recap once made. In production mode it was queued to Celery and no worker
    runs in these tests: the test does the worker's job (a no-op if the embedded background
    maker already holds it), then waits for whoever holds it to finish."""
    summary = Summary.objects.get(session=session)
    tasks.make_summary(summary.pk)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        summary.refresh_from_db()
        if summary.status in (Summary.Status.READY, Summary.Status.FAILED):
            return summary
        time.sleep(0.05)
    raise AssertionError(f"The recap is still {summary.status} after {timeout} s")
