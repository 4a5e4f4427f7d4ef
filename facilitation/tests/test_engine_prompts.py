"""Message templates: validation for persona authors, safe rendering."""

import re

import pytest

from facilitation.engine import DEFAULT_TEMPLATES, PLACEHOLDERS, PROMPT_KEYS, validate_template
from facilitation.engine.prompts import PromptBook, render

VALUES = {"quiet": "David", "talker": "Maya", "a": "Maya", "b": "David", "minutes": "5"}


def test_every_prompt_has_a_valid_default():
    assert set(DEFAULT_TEMPLATES) == set(PROMPT_KEYS) == set(PLACEHOLDERS)
    for key, text in DEFAULT_TEMPLATES.items():
        validate_template(key, text)


@pytest.mark.parametrize("key", PROMPT_KEYS)
def test_templates_never_leave_a_raw_placeholder(key):
    book = PromptBook()
    message = book.message(key, VALUES, inquiry=key in ("balance", "silence"))
    assert "{" not in message
    assert "}" not in message


def test_every_allowed_placeholder_renders():
    for key, names in PLACEHOLDERS.items():
        text = " ".join(f"{{{name}}}" for name in sorted(names))
        validate_template(key, text)
        assert not re.search(r"[{}]", render(text, VALUES))


def test_a_persona_template_overrides_only_its_own_prompt():
    book = PromptBook({"balance": "{quiet}, your turn?"})
    assert book.message("balance", VALUES, inquiry=False) == "David, your turn?"
    assert book.message("silence", VALUES, inquiry=False) == DEFAULT_TEMPLATES["silence"]


def test_the_inquiry_follows_the_prompt():
    book = PromptBook({"inquiry": "What do you think, {quiet}?"})
    message = book.message("balance", VALUES, inquiry=True)
    assert message.endswith(". What do you think, David?")


def test_names_with_braces_are_inserted_as_they_are():
    values = {**VALUES, "quiet": "{talker}", "talker": "Ma}ya"}
    assert render("{talker} and {quiet}", values) == "Ma}ya and {talker}"


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        ("pep_talk", "Go on!", "unknown prompt 'pep_talk'"),
        ("balance", "", "empty"),
        ("balance", "   ", "empty"),
        ("balance", "{nobody} is quiet", "unknown placeholder {nobody}"),
        ("escalation", "{quiet}, calm down", "unknown placeholder {quiet}"),
        ("balance", "{minutes} left", "unknown placeholder {minutes}"),
        ("balance", "Let {quiet speak", "'{' or '}'"),
        ("balance", "Let quiet} speak", "'{' or '}'"),
        ("balance", "{{quiet}}", "'{' or '}'"),
        ("balance", "{}", "unknown placeholder {}"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(key, text, reason):
    with pytest.raises(ValueError) as error:
        validate_template(key, text)
    assert reason in str(error.value)


def test_the_refusal_lists_what_the_prompt_may_use():
    with pytest.raises(ValueError, match=r"may use \{a\}, \{b\}, \{minutes\}"):
        validate_template("time_warning", "{quiet}")
