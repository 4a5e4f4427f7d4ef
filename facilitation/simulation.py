"""Scripted conversations played through the facilitation engine (DESIGN.md "Simulation").

A script (YAML or JSON; see facilitation/simulations/ for examples):

    title: Budget talk
    goal: Agree on a monthly budget              # optional
    duration_minutes: 20
    facilitator: {persona: neutral_mediator, interrupt_authority: true,
                  direct_inquiry: true, silence_detection: false}   # optional, these defaults
    participants: {a: {name: Maya}, b: {name: David}}               # or {a: Maya, b: David}
    turns:                       # seconds from the start, in order of start; overlaps allowed
      - {speaker: a, start: 0.0, end: 12.5, text: "I feel like we never plan ahead."}

`facilitator` also takes the live switches facilitated_prompts, sentiment_detection and
tension_monitoring (all on by default). Every turn must end within the session.

`play()` runs the whole session on a ManualClock: one tick every Thresholds.tick_ms from 0
until the first tick at or after the end of the session, so the last event is the final
`time_remaining` of 0:00 and anything the engine does in a silent ending (a silence prompt, a
late time warning) happens too. Turn inputs reach the engine at their own times, between
ticks (engine/conductor.py). A live run plays the same `timeline()` the same way, paced by
the wall clock, so it produces the same events at any speed.
"""

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from facilitation.engine import (
    DEFAULT_THRESHOLDS,
    DEFAULT_TOGGLES,
    SWITCHES,
    Event,
    ParticipantInfo,
    Thresholds,
    Toggles,
    classify,
)
from facilitation.engine.conductor import Conductor
from facilitation.engine.inputs import SpeechStarted, SpeechStopped, with_signals

SPEAKERS = ("a", "b")
# What a session allows (sessions.models): a script is played as a real session.
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 180
MAX_GOAL_LENGTH = 200
TOP_LEVEL_KEYS = ("title", "goal", "duration_minutes", "facilitator", "participants", "turns")
REQUIRED_KEYS = ("title", "duration_minutes", "participants", "turns")
TURN_KEYS = ("speaker", "start", "end", "text")
TOGGLE_KEYS = tuple(switch.name for switch in SWITCHES)
DEFAULT_PERSONA = "neutral_mediator"


class ScriptError(ValueError):
    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    end: float
    text: str

    @property
    def start_ms(self) -> int:
        return round(self.start * 1000)

    @property
    def end_ms(self) -> int:
        return round(self.end * 1000)


@dataclass(frozen=True)
class Facilitator:
    persona: str = DEFAULT_PERSONA
    toggles: Toggles = DEFAULT_TOGGLES


@dataclass(frozen=True)
class Script:
    title: str
    goal: str
    duration_minutes: int
    facilitator: Facilitator
    participants: Mapping[str, str]  # speaker key ("a" creator, "b" invitee) -> name
    turns: tuple[Turn, ...]

    @property
    def duration_ms(self) -> int:
        return self.duration_minutes * 60_000

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<script>") -> "Script":
        """Validates a parsed script; ScriptError says what is wrong and where."""
        return _Parser(source).script(data)

    def to_mapping(self) -> dict[str, Any]:
        """The script as plain JSON-ready data, which from_mapping reads back."""
        return {
            "title": self.title,
            "goal": self.goal,
            "duration_minutes": self.duration_minutes,
            "facilitator": {
                "persona": self.facilitator.persona,
                **asdict(self.facilitator.toggles),
            },
            "participants": {key: {"name": name} for key, name in self.participants.items()},
            "turns": [asdict(turn) for turn in self.turns],
        }


def load_script(path: str | Path) -> Script:
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(source, f"cannot read the file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ScriptError(source, "the file is not UTF-8 text") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(source, f"not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    except yaml.YAMLError as exc:
        raise ScriptError(source, f"not valid YAML: {_yaml_problem(exc)}") from exc
    return Script.from_mapping(data, source)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} (line {mark.line + 1})" if mark is not None else problem


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, reason: str) -> ScriptError:
        return ScriptError(self.source, reason)

    def mapping(self, value: Any, what: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping of {', '.join(allowed)}")
        unknown = [str(key) for key in value if key not in allowed]
        if unknown:
            raise self.fail(
                f"{what} has unknown key(s) {', '.join(map(repr, unknown))} "
                f"(allowed: {', '.join(allowed)})"
            )
        return value

    def script(self, data: Any) -> Script:
        data = self.mapping(data, "the script", TOP_LEVEL_KEYS)
        missing = [key for key in REQUIRED_KEYS if key not in data]
        if missing:
            raise self.fail(f"the script is missing {', '.join(map(repr, missing))}")
        title = self.text(data["title"], "title", required=True)
        goal = self.text(data.get("goal", ""), "goal", required=False)
        if len(goal) > MAX_GOAL_LENGTH:
            raise self.fail(f"goal is longer than {MAX_GOAL_LENGTH} characters")
        minutes = self.duration(data["duration_minutes"])
        return Script(
            title=title,
            goal=goal,
            duration_minutes=minutes,
            facilitator=self.facilitator(data.get("facilitator", {})),
            participants=self.participants(data["participants"]),
            turns=self.turns(data["turns"], minutes * 60_000),
        )

    def text(self, value: Any, what: str, *, required: bool) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{what} must be {'non-empty ' if required else ''}text")
        return value.strip()

    def number(self, value: Any, what: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(f"{what} must be a number, not {value!r}")
        return float(value)

    def duration(self, value: Any) -> int:
        minutes = self.number(value, "duration_minutes")
        if not minutes.is_integer() or not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
            raise self.fail(
                f"duration_minutes must be a whole number of minutes from {MIN_DURATION_MINUTES} "
                f"to {MAX_DURATION_MINUTES}, not {value!r}"
            )
        return int(minutes)

    def facilitator(self, value: Any) -> Facilitator:
        data = self.mapping(value, "facilitator", ("persona", *TOGGLE_KEYS))
        for key in TOGGLE_KEYS:
            if key in data and not isinstance(data[key], bool):
                raise self.fail(f"facilitator.{key} must be true or false, not {data[key]!r}")
        persona = self.text(
            data.get("persona", DEFAULT_PERSONA), "facilitator.persona", required=True
        )
        switches = {key: data[key] for key in TOGGLE_KEYS if key in data}
        return Facilitator(persona=persona, toggles=Toggles(**switches))

    def participants(self, value: Any) -> dict[str, str]:
        data = self.mapping(value, "participants", SPEAKERS)
        names = {}
        for key in SPEAKERS:
            if key not in data:
                raise self.fail(f"participants.{key} is missing")
            entry = data[key]
            if isinstance(entry, dict):
                entry = self.mapping(entry, f"participants.{key}", ("name",)).get("name")
            names[key] = self.text(entry, f"participants.{key} name", required=True)
        return names

    def turns(self, value: Any, duration_ms: int) -> tuple[Turn, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("turns must be a non-empty list")
        turns: list[Turn] = []
        speaking_until: dict[str, tuple[int, int]] = {}
        for number, entry in enumerate(value, start=1):
            turn = self.turn(entry, f"turn {number}")
            where = f"turn {number} ({turn.speaker} at {turn.start:g} s)"
            if turn.end_ms > duration_ms:
                raise self.fail(
                    f"{where} ends at {turn.end:g} s, after the session's "
                    f"{duration_ms / 60_000:g} minutes"
                )
            if turns and turn.start < turns[-1].start:
                raise self.fail(
                    f"{where} starts before turn {number - 1} ({turns[-1].start:g} s): "
                    "list turns in order of start"
                )
            earlier = speaking_until.get(turn.speaker)
            if earlier is not None and turn.start_ms < earlier[1]:
                raise self.fail(
                    f"{where} starts while {turn.speaker}'s turn {earlier[0]} still runs "
                    f"(until {earlier[1] / 1000:g} s)"
                )
            speaking_until[turn.speaker] = (number, turn.end_ms)
            turns.append(turn)
        return tuple(turns)

    def turn(self, entry: Any, where: str) -> Turn:
        data = self.mapping(entry, where, TURN_KEYS)
        missing = [key for key in TURN_KEYS if key not in data]
        if missing:
            raise self.fail(f"{where} is missing {', '.join(map(repr, missing))}")
        speaker = data["speaker"]
        if speaker not in SPEAKERS:
            raise self.fail(f"{where} has an unknown speaker {speaker!r} (expected a or b)")
        start = self.number(data["start"], f"{where} start")
        end = self.number(data["end"], f"{where} end")
        if start < 0:
            raise self.fail(f"{where} starts before 0 s ({start:g})")
        turn = Turn(speaker, start, end, self.text(data["text"], f"{where} text", required=False))
        if turn.end_ms <= turn.start_ms:
            raise self.fail(f"{where} ends ({end:g} s) at or before its start ({start:g} s)")
        return turn


# Inputs -------------------------------------------------------------------------------------


def timeline(
    script: Script, participant_ids: Mapping[str, str] | None = None
) -> list[SpeechStarted | SpeechStopped]:
    """Every turn's start and end in time order, keyed by participant id (the script's own
    letters unless `participant_ids` maps them); at the same moment ends come first, so a
    speaker who hands over is silent before the other begins."""
    ids = participant_ids or {key: key for key in SPEAKERS}
    inputs: list[SpeechStarted | SpeechStopped] = []
    for turn in script.turns:
        inputs.append(SpeechStarted(turn.start_ms, ids[turn.speaker]))
        inputs.append(SpeechStopped(turn.end_ms, ids[turn.speaker], turn.text))
    return sorted(inputs, key=lambda item: (item.at_ms, isinstance(item, SpeechStarted)))


def play(
    script: Script,
    *,
    templates: Mapping[str, str] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    participant_ids: tuple[str, str] = SPEAKERS,
) -> Iterator[tuple[int, Event]]:
    """Yields (tick time in ms, event) for the whole session, in order. The tick time is when
    the event was produced; a participant_status event carries the earlier input time."""
    ids = dict(zip(SPEAKERS, participant_ids, strict=True))
    participants = (
        ParticipantInfo(ids["a"], script.participants["a"]),
        ParticipantInfo(ids["b"], script.participants["b"]),
    )
    conductor = Conductor.for_session(
        participants=participants,
        duration_ms=script.duration_ms,
        goal=script.goal,
        templates=templates,
        thresholds=thresholds,
        toggles=script.facilitator.toggles,
    )
    conductor.add(with_signals(timeline(script, ids), classify, script.goal))
    last_tick = -(-script.duration_ms // thresholds.tick_ms) * thresholds.tick_ms
    for tick_at in range(0, last_tick + 1, thresholds.tick_ms):
        for event in conductor.play_until(tick_at):
            yield tick_at, event
