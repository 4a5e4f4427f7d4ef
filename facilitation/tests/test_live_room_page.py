"""The live room as first drawn by the server: the prompt waiting for an answer, the history,
and the facilitator's card."""

import pytest
from django.db import transaction
from django.urls import reverse

from facilitation import services
from sessions.events import append_event
from sessions.models import Session

pytestmark = pytest.mark.django_db


def _event(session, type: str, data: dict, at_ms: int | None = None) -> None:
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        append_event(locked, type, data, at_ms=at_ms)


def _intervention(session, number: int, message: str, **extra) -> None:
    data = {"id": f"int_{number}", "type": "balance", "modality": "visual", "message": message}
    _event(session, "intervention", {**data, **extra}, at_ms=200_000 + number)


def _room(client, user, session):
    client.force_login(user)
    return client.get(reverse("live_room", args=[session.public_id]))


def test_an_answered_prompt_moves_to_the_history_with_who_answered(
    client, creator, invitee_user, live
):
    _intervention(live, 1, "David, how do you see it?")
    david = live.participants.get(role="invitee").public_id
    _event(
        live,
        "intervention_ack",
        {"interventionId": "int_1", "action": "followed", "participantId": david},
    )
    _intervention(live, 2, "Back to the budget?")
    response = _room(client, creator, live)
    assert response.context["current_prompt"]["message"] == "Back to the budget?"
    [earlier] = response.context["history"]
    assert (earlier["message"], earlier["ack"]) == (
        "David, how do you see it?",
        "David: we'll try that",
    )
    html = response.content.decode()
    assert "Back to the budget?" in html and "David: we&#x27;ll try that" in html


def test_a_pause_sets_the_open_prompt_aside(client, creator, live):
    _intervention(live, 1, "David, how do you see it?")
    services.pause(live, live.participants.get(role="creator"))
    response = _room(client, creator, live)
    assert response.context["current_prompt"] is None
    assert response.context["history"][0]["message"] == "David, how do you see it?"
    assert response.context["ai_detail"].startswith("Paused by Maya.")


def test_spoken_only_when_it_was_spoken(client, creator, live):
    _intervention(live, 1, "Shown only", modality="voice")
    assert _room(client, creator, live).context["current_prompt"]["spoken"] is False
    _intervention(live, 2, "Said out loud", modality="voice", spoken=True)
    assert _room(client, creator, live).context["current_prompt"]["spoken"] is True


def test_the_card_says_why_the_voice_is_off(client, creator, make_session, live):
    context = _room(client, creator, live).context
    assert context["voice_on"] is False
    assert context["voice_note"] == (
        "Voice off: this server cannot speak yet, so prompts are shown on screen only."
    )
    assert context["captions_note"].startswith("Captions off: this server cannot transcribe")
    assert context["ai_detail"] == "It stays quiet for the first 3 minutes, so you can settle in."
    Session.objects.filter(pk=live.pk).update(interrupt_authority=False)
    note = _room(client, creator, live).context["voice_note"]
    assert note == "Voice off: you chose prompts on screen only."


def test_the_card_says_when_the_last_prompt_came(client, creator, live):
    _intervention(live, 1, "David, how do you see it?")  # at 200.001 s
    david = live.participants.get(role="invitee").public_id
    _event(
        live,
        "intervention_ack",
        {"interventionId": "int_1", "action": "dismissed", "participantId": david},
    )
    context = _room(client, creator, live).context
    assert context["ai_detail"] == "Last prompt at 3:20: “David, how do you see it?”"
    assert context["history"][0]["ack"] == "David set it aside"
