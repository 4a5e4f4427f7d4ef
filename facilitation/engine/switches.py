"""The facilitator's switches, defined once: the engine reads them as Toggles, and the session
model, the wizard, the JSON API, the live room and scripts all derive their fields from here.

Set-up switches are chosen when the session is created; live switches are changed from the
live room while the session runs.
"""

from dataclasses import dataclass, field, fields
from typing import Any


def _switch(default: bool, *, wire: str, label: str, help: str, live: bool) -> Any:
    return field(
        default=default, metadata={"wire": wire, "label": label, "help": help, "live": live}
    )


@dataclass(frozen=True)
class Toggles:
    interrupt_authority: bool = _switch(
        True,
        wire="interruptAuthority",
        label="May speak up in the call",
        help=(
            "When one of you has had most of the floor for a long while, or things get heated, "
            "the facilitator may say a short prompt out loud. Off: prompts only appear on screen."
        ),
        live=False,
    )
    direct_inquiry: bool = _switch(
        True,
        wire="directInquiry",
        label="May ask one of you directly",
        help=(
            "The facilitator may invite the quieter person by name, for example "
            "“David, what's your view?”. Off: it speaks to you both."
        ),
        live=False,
    )
    silence_detection: bool = _switch(
        False,
        wire="silenceDetection",
        label="Notices long silences",
        help=(
            "After more than 15 seconds of silence a gentle prompt appears. Silence is often "
            "useful, so this starts off."
        ),
        live=False,
    )
    facilitated_prompts: bool = _switch(
        True,
        wire="facilitatedPrompts",
        label="Facilitated prompts",
        help="Show the facilitator's prompts. Off: it only measures.",
        live=True,
    )
    tension_monitoring: bool = _switch(
        True,
        wire="tensionMonitoring",
        label="Tension monitoring",
        help="Suggest slowing down when the talk gets heated.",
        live=True,
    )
    sentiment_detection: bool = _switch(
        True,
        wire="sentimentDetection",
        label="Sentiment detection",
        help="Hold prompts back right after someone opens up.",
        live=True,
    )


@dataclass(frozen=True)
class Switch:
    name: str  # the Toggles field, the model field and the form field
    wire: str  # camelCase, in the JSON API and on the events websocket
    label: str
    help: str
    default: bool
    live: bool


SWITCHES: tuple[Switch, ...] = tuple(
    Switch(name=f.name, default=bool(f.default), **f.metadata) for f in fields(Toggles)
)
SETUP_SWITCHES = tuple(switch for switch in SWITCHES if not switch.live)
LIVE_SWITCHES = tuple(switch for switch in SWITCHES if switch.live)
# Frozen, so one instance serves every engine.
DEFAULT_TOGGLES = Toggles()
