"""The facilitation engine, a pure library: speech, signals, settings and time in; events out.

No Django, no I/O, no threads. The runtime owns the clock and the loop; tests and the
simulation drive it with a ManualClock.
"""

from .classifier import classify
from .clock import Clock, ManualClock, MonotonicClock
from .engine import FacilitationEngine, ParticipantInfo
from .events import EVENT_TYPES, Event
from .prompts import DEFAULT_TEMPLATES, PLACEHOLDERS, PROMPT_KEYS, render, validate_template
from .signals import Signals
from .switches import DEFAULT_TOGGLES, LIVE_SWITCHES, SETUP_SWITCHES, SWITCHES, Switch, Toggles
from .thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_TEMPLATES",
    "DEFAULT_THRESHOLDS",
    "DEFAULT_TOGGLES",
    "EVENT_TYPES",
    "LIVE_SWITCHES",
    "PLACEHOLDERS",
    "PROMPT_KEYS",
    "SETUP_SWITCHES",
    "SWITCHES",
    "Clock",
    "Event",
    "FacilitationEngine",
    "ManualClock",
    "MonotonicClock",
    "ParticipantInfo",
    "Signals",
    "Switch",
    "Thresholds",
    "Toggles",
    "classify",
    "render",
    "validate_template",
]
