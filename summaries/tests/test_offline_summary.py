"""The recap made without AI: facts about the talk, and the sentences that state agreements
and next steps, quoted as said, hedges kept."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from facilitation.sources import SIMULATIONS_DIR
from sessions.models import Session
from summaries.models import Summary
from summaries.tests.conftest import made, queued

# balanced.yaml (Maya and David share the chores): what its people agreed and said they would
# do, read from the script. Each agreement is the proposal the other person assented to.
BALANCED_AGREEMENTS = [
    # 139.9 s David proposes, 159.6 s Maya: "That works for me."
    "Then I'll do the cooking on the days I'm home first, which is Monday to Wednesday, "
    "and you take Thursday and Friday.",
    # 159.6 s Maya asks, 178.8 s David: "Deal, I'll fold..."
    "Could you do the folding while we watch something in the evening?",
    # 491.2 s David: "What if...", 507.6 s Maya: "I'd take that."
    "What if whoever stays home only does the cooking and the cat, and everything else just waits?",
    # 507.6 s Maya: "Maybe the traveller...", 524.0 s David: "Fine by me."
    "Maybe the traveller does a load the day they get back, before anything else.",
    # 668.5 s Maya: "Let's keep...", 681.5 s David: "Agreed."
    "Let's keep the check-ins away from Sunday evenings, then.",
]
BALANCED_NEXT_STEPS = [
    (
        "I'll write the split down tonight and put it on the fridge, and the list goes on our "
        "phones.",
        "invitee",
        "committed",
    ),
    ("And I'll show you the bills next weekend.", "creator", "committed"),
    ("Deal, I'll fold, it's honestly the least bad part.", "invitee", "committed"),
]


@pytest.mark.django_db(transaction=True)
def test_a_simulation_with_agreements_and_next_steps(persona, client, settings):
    call_command(
        "simulate_session",
        "--script",
        str(SIMULATIONS_DIR / "balanced.yaml"),
        "--speed",
        "0",
        stdout=StringIO(),
    )
    session = Session.objects.get()
    summary = made(session)  # queued when the script finished and the session ended
    assert Summary.objects.count() == 1
    assert summary.status == Summary.Status.READY
    assert summary.made_offline is True
    assert summary.offline_because == "this server has no OpenAI key"

    titles = [a.title for a in summary.agreements.all()]
    for agreement in BALANCED_AGREEMENTS:
        assert agreement in titles
    steps = {(i.text, i.owner, i.commitment) for i in summary.action_items.all()}
    for step in BALANCED_NEXT_STEPS:
        assert step in steps
    # Hedged words stay tentative, wherever they are.
    for item in summary.action_items.all():
        if "I'd like to" in item.text or "could" in item.text:
            assert item.commitment == "tentative", item.text

    talk = summary.talk
    # The session's own clock: the script's last word ends at 695 s, the session 1 s later.
    assert talk["durationMs"] == 696_000
    assert talk["bucketMs"] == 30_000 and len(talk["buckets"]) == 24
    assert sum(talk["shares"]) == 100 and talk["status"] == "balanced"
    # balanced.yaml's only prompt: the time warning at 7:00, to both.
    assert [(i["type"], i["atMs"], i["targetParticipant"]) for i in talk["interventions"]] == [
        ("time_warning", 420_000, None)
    ]
    assert "Maya and David talked for 12 minutes" in summary.consensus

    # The simulation's system user watches the script's two people; let it log in to look.
    session.creator.is_active = True
    session.creator.save()
    client.force_login(session.creator)
    html = client.get(reverse("recap", args=[session.public_id])).content.decode()
    assert "Made offline" in html
    assert "No AI read your conversation: this server has no OpenAI key." in html
    assert "Let&#x27;s keep the check-ins away from Sunday evenings, then." in html


@pytest.mark.django_db
def test_words_that_hedge_and_words_that_commit(talked):
    session = talked()
    queued(session)
    summary = made(session)
    assert summary.made_offline is True
    items = [(i.text, i.owner, i.commitment) for i in summary.action_items.all()]
    assert items == [
        ("I will book the flights tomorrow morning.", "invitee", "committed"),
        ("I might call the bank about the loan on Friday.", "creator", "tentative"),
    ]
    # "Agreed." answers David's question: the proposal is the agreement, with both words.
    [agreement] = summary.agreements.all()
    assert agreement.title == "Can we split the deposit half and half?"
    assert agreement.description == (
        "David: “Can we split the deposit half and half?” Maya: “Agreed.”"
    )
    assert summary.open_points == [
        "David: “I'm not sure about the hotel yet, it depends on the dates.”"
    ]


@pytest.mark.django_db
def test_without_a_transcript_it_says_what_it_knows(talked):
    session = talked([("a", 0, 90, ""), ("b", 90, 120, "")])
    queued(session)
    summary = made(session)
    assert summary.made_offline is True
    assert "no transcript" in summary.offline_because
    assert summary.talk["speakingMs"] == [90_000, 30_000]
    assert summary.talk["shares"] == [75, 25] and summary.talk["status"] == "severe_imbalance"
    assert summary.consensus == (
        "Maya and David talked for 2 minutes about “Agree on a monthly budget we both feel good "
        "about”. Maya spoke 75 % of the time and David 25 %: one-sided. The facilitator did not "
        "step in. There is no transcript, so nothing of what was said is summarised here."
    )
    assert not summary.agreements.exists() and not summary.action_items.exists()
