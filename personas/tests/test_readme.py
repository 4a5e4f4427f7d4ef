import pytest

from personas.readme import LIBRARY_DIR, PersonaFormatError, load_library, parse_readme

GOOD = """# Test Guide

You are a test facilitator. You help two people.
Still the first paragraph.

A second paragraph that is not part of the prompt.

## Description
Calm and fair;
good for testing.

A note for the library's editors, not shown.

## Core Behaviors
- Listen
- Be fair

## Intervention Style
- Gentle tone
- balance: {talker} has talked a lot; {quiet}, your turn.
- time_warning: "{minutes} minutes left."

## Metadata
- image: TBD (generated later)
- entry_message: "Hello both."
- cartesia_voice_id: TBD
- gender: female
- relevant_links: ["https://example.com/guide"]
"""


def test_it_reads_every_part():
    spec = parse_readme(GOOD, "test_guide", "test_guide/README.md")
    assert spec.name == "Test Guide"
    assert (
        spec.prompt == "You are a test facilitator. You help two people. Still the first paragraph."
    )
    assert spec.description == "Calm and fair; good for testing."
    assert spec.core_behaviors == ["Listen", "Be fair"]
    assert spec.intervention_style == ["Gentle tone"]
    assert spec.prompt_templates == {
        "balance": "{talker} has talked a lot; {quiet}, your turn.",
        "time_warning": "{minutes} minutes left.",
    }
    assert spec.entry_message == "Hello both."
    assert (spec.image, spec.cartesia_voice_id) == ("", "")  # TBD means not set
    assert spec.gender == "female"
    assert spec.relevant_links == ["https://example.com/guide"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda t: t.replace("# Test Guide", "Test Guide"), "first line must be the title"),
        (
            lambda t: t.replace("## Core Behaviors", "## Behaviours"),
            "'## Core Behaviors' is missing",
        ),
        (lambda t: t.replace("- Listen\n- Be fair\n", ""), "'## Core Behaviors' is empty"),
        (lambda t: t.replace("## Description", "## Summary"), "'## Description' is missing"),
        (
            lambda t: t.replace(
                "Calm and fair;\ngood for testing.\n\nA note", "\n\nA note"
            ).replace("A note for the library's editors, not shown.", ""),
            "'## Description' is empty",
        ),
        (
            lambda t: t.replace("Calm and fair;", "You are calm and fair;"),
            "for the two people, not the model",
        ),
        (lambda t: t.replace("Calm and fair;", "Calm " * 50), "longer than 200 characters"),
        (lambda t: t.replace("- gender: female", "- gender: robot"), "gender must be one of"),
        (lambda t: t.replace("- gender: female", "- voice: x"), "unknown metadata key 'voice'"),
        (lambda t: t.replace("- gender: female", "gender female"), "may only contain '- ' bullets"),
        (lambda t: t.replace("{quiet}, your", "{nobody}, your"), "unknown placeholder {nobody}"),
        (lambda t: t.replace('"{minutes} minutes left."', "soon"), "must use {minutes}"),
        (lambda t: t.replace("https://example.com/guide", "ftp://x"), "http(s) URLs"),
        (lambda t: t.replace('["https://example.com/guide"]', "[oops"), "not a valid list"),
        (
            lambda t: t.replace("- image: TBD (generated later)", "- image: picture.png"),
            "image must",
        ),
        (lambda t: t.replace("You are a test", "\n## Core Behaviors\n- x\nYou are"), None),
    ],
)
def test_a_malformed_readme_says_which_file_and_why(change, reason):
    with pytest.raises(PersonaFormatError) as error:
        parse_readme(change(GOOD), "test_guide", "library/test_guide/README.md")
    assert str(error.value).startswith("library/test_guide/README.md: ")
    if reason:
        assert reason in error.value.reason


def test_a_time_warning_without_minutes_is_refused():
    with pytest.raises(PersonaFormatError, match="time_warning"):
        parse_readme(GOOD.replace('"{minutes} minutes left."', "Almost done."), "t_g", "t")


def test_folder_names_must_be_slugs():
    with pytest.raises(PersonaFormatError, match="folder name"):
        parse_readme(GOOD, "Bad Name", "Bad Name/README.md")


def test_the_shipped_library_has_the_spec_personas_and_more():
    specs = load_library(LIBRARY_DIR)
    slugs = {spec.slug for spec in specs}
    assert {"neutral_mediator", "deep_empath", "decision_catalyst"} <= slugs
    assert len(specs) >= 8
    for spec in specs:
        assert spec.prompt.startswith("You are")
        assert spec.description and not spec.description.startswith("You are")
        assert spec.entry_message
        assert {"balance", "time_warning", "inquiry"} <= set(spec.prompt_templates)
