"""OpenAI writes a session's recap: one structured-output call (a strict JSON schema) per part
of the transcript, and one more to merge the parts of a long one.

Only this module talks to OpenAI (through the `openai` SDK, at OPENAI_BASE_URL, so a local
fake can stand in). Retries are ours, not the SDK's, so the caller hears of every try (the
recap's maker proves it is alive between tries) and the reason of the last failure reads well.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
from django.conf import settings

COMMITTED = "committed"
TENTATIVE = "tentative"
BOTH = "both"
UNASSIGNED = "unassigned"
MAX_ANSWER_TOKENS = 4096
MAX_RETRY_AFTER_S = 30.0

INSTRUCTIONS = """\
You write the shared recap of a facilitated conversation between two people, {a} and {b}.
Both of them will read it: be neutral and fair, never take sides, and describe each person's
view in words they would both accept. Use only what was said; never invent agreements or tasks.
- consensus_summary: 3 to 6 sentences on what they discussed and where they ended up, against
  their goal.
- key_agreements: only what both agreed to (one proposed it, the other clearly accepted): a short
  title and a one or two sentence description.
- action_items: what someone said they would do. owner: who will do it ({a}, {b}, both, or
  unassigned). commitment is "committed" only for a firm statement ("I will", "I'll", "we
  decided that I"). Anything hedged ("I might", "maybe", "I could", "I'll try", "probably",
  "I think I'll", "if I have time") is "tentative" and its text keeps the hedge: write "{a}
  might call the bank", never "{a} will call the bank". quote: the speaker's own words it comes
  from, verbatim.
- open_disagreements: what they did not agree on or left open, stated neutrally.
Write in the language of the conversation."""

MERGE_INSTRUCTIONS = """\
You are given the recaps of consecutive parts of one conversation, in order. Merge them into one
recap of the whole conversation: combine duplicates, prefer a later decision over an earlier
one it replaced, drop open points that a later part settled, and keep hedged items hedged."""


class RecapWriterError(Exception):
    """Why the recap could not be written, in words for the two people reading it."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class Conversation:
    goal: str
    relationship: str
    facilitator: str
    people: tuple[str, str]  # the speakers' names as the transcript writes them


def recap_schema(people: tuple[str, str]) -> dict[str, Any]:
    """The JSON schema the answer must follow (strict mode: every key required, no others)."""

    def strings() -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}}

    def record(properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": list(properties),
            "properties": properties,
        }

    return record(
        {
            "consensus_summary": {"type": "string"},
            "key_agreements": {
                "type": "array",
                "items": record({"title": {"type": "string"}, "description": {"type": "string"}}),
            },
            "action_items": {
                "type": "array",
                "items": record(
                    {
                        "text": {"type": "string"},
                        "owner": {"type": "string", "enum": [*people, BOTH, UNASSIGNED]},
                        "commitment": {"type": "string", "enum": [COMMITTED, TENTATIVE]},
                        "quote": {"type": "string"},
                    }
                ),
            },
            "open_disagreements": strings(),
        }
    )


class RecapWriter:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        timeout: float,
        max_retries: int,
        backoff: float,
        before_each_try: Callable[[], None] = lambda: None,
    ) -> None:
        self.model = model
        self.max_retries = max(0, max_retries)
        self.backoff = max(0.0, backoff)
        self.before_each_try = before_each_try
        self.base_url = base_url
        self.client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )

    def draft(
        self, conversation: Conversation, transcript: str, part: tuple[int, int] | None = None
    ) -> dict[str, Any]:
        """The recap of a transcript, or of part (number, of how many) of a long one."""
        where = (
            f"This is part {part[0]} of {part[1]} of the transcript: recap only this part.\n"
            if part
            else ""
        )
        user = (
            f"Goal of the conversation: {conversation.goal}\n"
            f"Relationship: {conversation.relationship}\n"
            f"Facilitator: {conversation.facilitator}\n"
            f"{where}"
            "Transcript ([minutes:seconds] speaker: words):\n"
            f"{transcript}"
        )
        return self._complete(self._instructions(conversation), user, conversation.people)

    def merge(self, conversation: Conversation, drafts: list[dict[str, Any]]) -> dict[str, Any]:
        user = (
            f"Goal of the conversation: {conversation.goal}\n"
            f"Recaps of the {len(drafts)} parts, in order:\n"
            f"{json.dumps(drafts, ensure_ascii=False)}"
        )
        system = f"{self._instructions(conversation)}\n\n{MERGE_INSTRUCTIONS}"
        return self._complete(system, user, conversation.people)

    @staticmethod
    def _instructions(conversation: Conversation) -> str:
        a, b = conversation.people
        return INSTRUCTIONS.format(a=a, b=b)

    def _complete(self, system: str, user: str, people: tuple[str, str]) -> dict[str, Any]:
        tries = self.max_retries + 1
        for number in range(1, tries + 1):
            self.before_each_try()
            try:
                return self._ask(system, user, people)
            except openai.APIError as exc:
                error = _explain(exc, self.base_url)
                wait = _retry_after(exc)
            except RecapWriterError as exc:
                error, wait = exc, None
            if not error.retryable or number == tries:
                if number > 1:
                    error.reason = f"{error.reason} ({number} tries)"
                raise error
            time.sleep(wait if wait is not None else self._pause(number))
        raise AssertionError("unreachable")

    def _pause(self, number: int) -> float:
        return self.backoff * 2 ** (number - 1) * random.uniform(0.8, 1.2)

    def _ask(self, system: str, user: str, people: tuple[str, str]) -> dict[str, Any]:
        schema = {"name": "session_recap", "strict": True, "schema": recap_schema(people)}
        completion = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_schema", "json_schema": schema},
            max_completion_tokens=MAX_ANSWER_TOKENS,
        )
        if not completion.choices:
            raise RecapWriterError("OpenAI's answer was empty.", retryable=True)
        choice = completion.choices[0]
        if getattr(choice.message, "refusal", None):
            raise RecapWriterError(
                "The model declined to recap this conversation.", retryable=False
            )
        if choice.finish_reason == "length":
            raise RecapWriterError("OpenAI's answer was cut off before the end.", retryable=False)
        try:
            return validated(json.loads(choice.message.content or ""), people)
        except (ValueError, TypeError) as exc:
            raise RecapWriterError(
                f"OpenAI's answer was not a valid recap ({exc}).", retryable=True
            ) from exc


def validated(data: Any, people: tuple[str, str]) -> dict[str, Any]:
    """The answer in the schema's shape, or ValueError saying what is off."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")

    def text(value: Any, what: str) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{what} is not text")
        return value.strip()

    def items(key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            raise ValueError(f"{key} is not a list")
        return value

    owners = {*people, BOTH, UNASSIGNED}
    actions = []
    for item in items("action_items"):
        if not isinstance(item, dict) or item.get("owner") not in owners:
            raise ValueError("an action item has no known owner")
        if item.get("commitment") not in (COMMITTED, TENTATIVE):
            raise ValueError("an action item is neither committed nor tentative")
        actions.append(
            {
                "text": text(item.get("text"), "an action item"),
                "owner": item["owner"],
                "commitment": item["commitment"],
                "quote": text(item.get("quote", ""), "a quote"),
            }
        )
    agreements = []
    for item in items("key_agreements"):
        if not isinstance(item, dict):
            raise ValueError("an agreement is not an object")
        agreements.append(
            {
                "title": text(item.get("title"), "an agreement title"),
                "description": text(item.get("description", ""), "an agreement description"),
            }
        )
    return {
        "consensus_summary": text(data.get("consensus_summary"), "consensus_summary"),
        "key_agreements": [a for a in agreements if a["title"]],
        "action_items": [a for a in actions if a["text"]],
        "open_disagreements": [
            point
            for point in (text(p, "an open point") for p in items("open_disagreements"))
            if point
        ],
    }


def _explain(exc: openai.APIError, base_url: str) -> RecapWriterError:
    if isinstance(exc, openai.APITimeoutError):
        return RecapWriterError("OpenAI did not answer in time.", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return RecapWriterError(f"Could not reach OpenAI at {base_url}.", retryable=True)
    status = getattr(exc, "status_code", None)
    if isinstance(exc, openai.AuthenticationError):
        return RecapWriterError("OpenAI refused this server's API key (401).", retryable=False)
    if isinstance(exc, openai.RateLimitError):
        return RecapWriterError("OpenAI is limiting this server's requests (429).", retryable=True)
    if status is not None and (status >= 500 or status in (408, 409)):
        return RecapWriterError(f"OpenAI had a problem answering ({status}).", retryable=True)
    return RecapWriterError(
        f"OpenAI refused the request ({status or 'no status'}).", retryable=False
    )


def _retry_after(exc: openai.APIError) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S) if value else None
    except ValueError:
        return None


def writer_from_settings(before_each_try: Callable[[], None] = lambda: None) -> RecapWriter:
    return RecapWriter(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
        model=settings.OPENAI_MODEL,
        timeout=settings.OPENAI_TIMEOUT,
        max_retries=settings.OPENAI_MAX_RETRIES,
        backoff=settings.OPENAI_RETRY_BACKOFF,
        before_each_try=before_each_try,
    )
