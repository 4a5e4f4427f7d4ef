"""Decoding JSON that strangers send: API bodies and websocket messages.

Python's decoder recurses once per nesting level, so a thousand nested brackets raise
RecursionError deep inside a request; PostgreSQL refuses text holding NUL; and NaN or Infinity
are not JSON at all. Every such body is refused here, with a message the sender can act on,
before anything else reads it.
"""

import json
import math
import re
from itertools import accumulate
from typing import Any

# Far deeper than anything Diadi takes (two levels today), far shallower than the recursion limit.
MAX_DEPTH = 32

# A JSON string, escapes included, written so that long strings never backtrack.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class RefusedJSON(ValueError):
    """The body is not JSON Diadi accepts; str(error) says why, for the sender."""


def _depth(text: str) -> int:
    # Strings may hold brackets: drop them, then count what is left.
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[bracket] for bracket in brackets), default=0)


def _refuse_constant(name: str) -> Any:
    raise RefusedJSON(f"{name} is not a JSON number.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RefusedJSON(f"The number {text[:20]} is too large.")
    return value


def _refuse_nul(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise RefusedJSON("Text may not contain the NUL character (\\u0000).")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The decoded value, or RefusedJSON for anything malformed, too deep or holding NUL."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RefusedJSON("JSON must be UTF-8 text.") from exc
    # Counting brackets is only needed when there are enough of them to go too deep.
    if text.count("[") + text.count("{") > max_depth and _depth(text) > max_depth:
        raise RefusedJSON(f"JSON may be nested at most {max_depth} levels deep.")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as exc:  # only if the caller's own stack is already very deep
        raise RefusedJSON(f"JSON may be nested at most {max_depth} levels deep.") from exc
    except RefusedJSON:
        raise
    except ValueError as exc:
        raise RefusedJSON(f"Malformed JSON: {exc}") from exc
    _refuse_nul(value)
    return value
