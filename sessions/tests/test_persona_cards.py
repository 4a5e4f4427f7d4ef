"""Persona cards speak to the two people; the model's prompt is never shown to them."""

import pytest
from django.core.management import call_command

from sessions.tests.test_wizard import GOAL, IDENTITY, URL, _walk

pytestmark = pytest.mark.django_db

# From personas/library/*/README.md, section "## Description".
COMPASS = "Treats you as equal owners, whatever your titles or shares"
MEDIATOR = "Keeps things even and calm, and takes no sides"
# From the same READMEs' first paragraph: the system prompt.
COMPASS_PROMPT = "You are a steady facilitator for two co-founders"


@pytest.fixture
def maya(client, creator):
    call_command("seed_personas", verbosity=0)
    client.force_login(creator)
    return client


def _checked_persona(html: str) -> str:
    # The radio that is checked, e.g. value="cofounder_compass" ... checked
    for tag in html.split("<input")[1:]:
        tag = tag.split(">", 1)[0]
        if 'name="persona"' in tag and "checked" in tag:
            return tag.split('value="', 1)[1].split('"', 1)[0]
    return ""


def test_the_cards_show_the_description_never_the_prompt(maya):
    _walk(maya, IDENTITY, GOAL)
    html = maya.get(f"{URL}?step=3").content.decode()
    assert COMPASS in html and MEDIATOR in html
    assert COMPASS_PROMPT not in html
    assert "You are" not in html


def test_co_founders_get_the_co_founder_compass_suggested(maya):
    _walk(maya, IDENTITY, GOAL)
    html = maya.get(f"{URL}?step=3").content.decode()
    assert _checked_persona(html) == "cofounder_compass"
    assert "Suggested for you" in html


def test_friends_get_the_neutral_mediator(maya):
    _walk(maya, {**IDENTITY, "relationship": "Friends"}, GOAL)
    assert _checked_persona(maya.get(f"{URL}?step=3").content.decode()) == "neutral_mediator"


def test_a_chosen_persona_is_kept_over_the_suggestion(maya):
    _walk(maya, IDENTITY, GOAL)
    maya.post(URL, {"step": "3", "persona": "deep_empath", "direction": "back"})
    assert _checked_persona(maya.get(f"{URL}?step=3").content.decode()) == "deep_empath"


def test_the_invite_page_describes_the_facilitator_for_people(client, creator):
    call_command("seed_personas", verbosity=0)
    from personas.models import Persona
    from sessions import services

    _, token = services.create_session(
        creator,
        services.NewSession(
            creator_name="Maya",
            partner_name="David",
            relationship_context="Co-founders",
            goal="Decide who leads product",
            persona=Persona.objects.get(slug="cofounder_compass"),
        ),
    )
    html = client.get(f"/invite/{token}/").content.decode()
    assert COMPASS in html
    assert COMPASS_PROMPT not in html
