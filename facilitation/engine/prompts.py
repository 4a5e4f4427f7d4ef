"""Message templates for interventions, and their safe rendering.

A template is plain text with `{placeholder}`s. Which placeholders a template may use depends
on its prompt: `{quiet}` is the person the prompt turns to (the quieter one), `{talker}` the
other, `{a}` / `{b}` the creator / invitee, `{minutes}` the minutes left. There is no escape
for a literal brace: a rendered message never contains one that the template wrote.
"""

import re
from collections.abc import Mapping
from types import MappingProxyType

PROMPT_KEYS = (
    "balance",
    "silence",
    "time_warning",
    "escalation",
    "goal_drift",
    "icebreaker",
    "inquiry",
)

_NAMES = frozenset({"a", "b"})
_PEOPLE = _NAMES | {"quiet", "talker"}
PLACEHOLDERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "balance": _PEOPLE,
        "silence": _PEOPLE,
        "time_warning": _NAMES | {"minutes"},
        "escalation": _NAMES,
        "goal_drift": _NAMES,
        "icebreaker": _NAMES,
        # The inquiry follows a balance or silence prompt and is addressed to its {quiet}.
        "inquiry": _PEOPLE,
    }
)

# What a prompt cannot do without: a balance prompt names the quieter person, a time warning
# says how much time is left.
REQUIRED: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "balance": frozenset({"quiet"}),
        "inquiry": frozenset({"quiet"}),
        "time_warning": frozenset({"minutes"}),
    }
)

DEFAULT_TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        "balance": "{talker} has carried most of the conversation for a while. "
        "Let's make some room for {quiet}.",
        "silence": "Take your time. A pause can be a good place to think.",
        "time_warning": "About {minutes} min left. A good moment to sum up what you agree on "
        "and what is still open.",
        "escalation": "Things are getting heated. Let's take a breath: would a two-minute "
        "break help?",
        "goal_drift": "You have moved away from what you came here to talk about. "
        "Shall we come back to it?",
        "icebreaker": "Starting is often the hardest part. What would a good outcome of this "
        "conversation look like for each of you?",
        "inquiry": "{quiet}, how does this look from your side?",
    }
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def validate_template(key: str, text: str) -> None:
    """Raises ValueError saying what is wrong with a persona's template for prompt `key`."""
    if key not in PROMPT_KEYS:
        raise ValueError(f"unknown prompt {key!r} (expected one of {', '.join(PROMPT_KEYS)})")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the template is empty")
    outside = _PLACEHOLDER.sub("", text)
    if "{" in outside or "}" in outside:
        raise ValueError("a '{' or '}' is not part of a {placeholder}")
    allowed = PLACEHOLDERS[key]
    used = _PLACEHOLDER.findall(text)
    for name in used:
        if name not in allowed:
            listed = ", ".join(f"{{{option}}}" for option in sorted(allowed))
            raise ValueError(f"unknown placeholder {{{name}}} (the {key} prompt may use {listed})")
    missing = sorted(REQUIRED.get(key, frozenset()) - set(used))
    if missing:
        raise ValueError(f"the {key} prompt must use " + ", ".join(f"{{{m}}}" for m in missing))


def render(text: str, values: Mapping[str, str]) -> str:
    """One pass, so a value that itself contains braces is inserted as-is, never expanded."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


class PromptBook:
    """The default templates with a persona's overrides on top, all checked up front."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        templates = dict(DEFAULT_TEMPLATES)
        for key, text in (overrides or {}).items():
            validate_template(key, text)
            templates[key] = text
        self._templates = templates

    def message(self, key: str, values: Mapping[str, str], *, inquiry: bool) -> str:
        text = render(self._templates[key], values)
        if inquiry:
            text = f"{text} {render(self._templates['inquiry'], values)}"
        return text
