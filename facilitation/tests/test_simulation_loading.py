"""Loading and checking simulation scripts, and the inputs they feed the engine."""

import copy
import json

import pytest
import yaml

from facilitation.engine import Toggles
from facilitation.engine.conductor import SpeechStarted, SpeechStopped
from facilitation.simulation import (
    Script,
    ScriptError,
    load_script,
    play,
    timeline,
)

VALID = {
    "title": "Budget talk",
    "goal": "Agree on a monthly budget",
    "duration_minutes": 10,
    "facilitator": {"persona": "neutral_mediator", "silence_detection": True},
    "participants": {"a": {"name": "Maya"}, "b": {"name": "David"}},
    "turns": [
        {"speaker": "a", "start": 0.0, "end": 12.5, "text": "I feel like we never plan ahead."},
        {"speaker": "b", "start": 13.0, "end": 19.0, "text": "That's fair. What would help?"},
    ],
}


def changed(path: str, value: object) -> dict:
    """VALID with one value replaced (or removed, for None), by a dotted path."""
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is None:
        del target[int(last) if last.isdigit() else last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


def test_a_valid_script_loads_with_defaults_filled_in():
    script = Script.from_mapping(VALID)
    assert script.title == "Budget talk"
    assert script.duration_ms == 10 * 60_000
    assert script.participants == {"a": "Maya", "b": "David"}
    assert script.facilitator.persona == "neutral_mediator"
    assert script.facilitator.toggles == Toggles(silence_detection=True)
    assert [(t.speaker, t.start_ms, t.end_ms) for t in script.turns] == [
        ("a", 0, 12_500),
        ("b", 13_000, 19_000),
    ]


def test_names_may_be_given_plainly_and_goal_and_facilitator_left_out():
    data = {key: value for key, value in VALID.items() if key not in ("goal", "facilitator")}
    script = Script.from_mapping({**data, "participants": {"a": "Maya", "b": "David"}})
    assert script.participants == {"a": "Maya", "b": "David"}
    assert script.goal == ""
    assert script.facilitator.toggles == Toggles()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ([1, 2], "the script must be a mapping"),
        ({**VALID, "speed": 2}, "the script has unknown key(s) 'speed'"),
        (changed("title", None), "the script is missing 'title'"),
        (changed("turns", None), "the script is missing 'turns'"),
        (changed("title", " "), "title must be non-empty text"),
        (changed("goal", "x" * 201), "goal is longer than 200 characters"),
        (changed("duration_minutes", "ten"), "duration_minutes must be a number, not 'ten'"),
        (changed("duration_minutes", True), "duration_minutes must be a number"),
        (changed("duration_minutes", 4), "a whole number of minutes from 5 to 180, not 4"),
        (changed("duration_minutes", 181), "a whole number of minutes from 5 to 180"),
        (changed("duration_minutes", 12.5), "a whole number of minutes"),
        (changed("facilitator.volume", 3), "facilitator has unknown key(s) 'volume'"),
        (
            changed("facilitator.silence_detection", "yes"),
            "facilitator.silence_detection must be true or false",
        ),
        (changed("participants.b", None), "participants.b is missing"),
        (changed("participants.c", {"name": "Ann"}), "participants has unknown key(s) 'c'"),
        (changed("participants.a", {"name": ""}), "participants.a name must be non-empty text"),
        (changed("participants.a", {"nick": "M"}), "participants.a has unknown key(s) 'nick'"),
        (changed("turns", []), "turns must be a non-empty list"),
        (changed("turns.1", "hello"), "turn 2 must be a mapping"),
        (changed("turns.1.end", None), "turn 2 is missing 'end'"),
        (changed("turns.0.mood", "calm"), "turn 1 has unknown key(s) 'mood'"),
        (changed("turns.0.speaker", "c"), "turn 1 has an unknown speaker 'c' (expected a or b)"),
        (changed("turns.0.start", "ten"), "turn 1 start must be a number"),
        (changed("turns.0.start", -1), "turn 1 starts before 0 s"),
        (changed("turns.1.end", 13.0), "turn 2 ends (13 s) at or before its start (13 s)"),
        (changed("turns.1.end", 601), "turn 2 (b at 13 s) ends at 601 s, after the session's 10"),
    ],
)
def test_script_errors_say_what_is_wrong_and_where(data, reason):
    with pytest.raises(ScriptError) as error:
        Script.from_mapping(data, source="budget.yaml")
    assert str(error.value).startswith("budget.yaml: ")
    assert reason in str(error.value)


def test_turns_must_come_in_order_of_start():
    data = changed("turns.1.start", 5.0)
    data["turns"][1]["speaker"] = "a"
    data["turns"][0]["speaker"] = "b"
    data["turns"][0]["start"] = 6.0
    with pytest.raises(ScriptError, match=r"turn 2 \(a at 5 s\) starts before turn 1"):
        Script.from_mapping(data)


def test_one_person_cannot_speak_twice_at_once():
    data = changed("turns.1", {"speaker": "a", "start": 10.0, "end": 19.0, "text": ""})
    with pytest.raises(ScriptError, match=r"starts while a's turn 1 still runs \(until 12.5 s\)"):
        Script.from_mapping(data)


def test_the_two_people_may_overlap():
    data = changed("turns.1.start", 10.0)
    assert Script.from_mapping(data).turns[1].start_ms == 10_000


def test_a_script_survives_a_round_trip_through_plain_data():
    script = Script.from_mapping(VALID)
    assert Script.from_mapping(json.loads(json.dumps(script.to_mapping()))) == script


def test_yaml_and_json_files_load_alike(tmp_path):
    (tmp_path / "talk.yaml").write_text(yaml.safe_dump(VALID), encoding="utf-8")
    (tmp_path / "talk.json").write_text(json.dumps(VALID), encoding="utf-8")
    assert load_script(tmp_path / "talk.yaml") == load_script(tmp_path / "talk.json")


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("talk.yaml", "title: [unclosed\n", "not valid YAML"),
        ("talk.json", '{"title": ', "not valid JSON"),
        ("talk.yaml", b"\xff\xfe", "not UTF-8"),
    ],
)
def test_unreadable_files_are_reported(tmp_path, file_name, content, reason):
    path = tmp_path / file_name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ScriptError, match=reason) as error:
        load_script(path)
    assert error.value.source == str(path)


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(ScriptError, match="cannot read the file"):
        load_script(tmp_path / "nowhere.yaml")


def test_the_timeline_puts_an_end_before_a_start_at_the_same_moment():
    data = changed("turns.1.start", 12.5)
    assert timeline(Script.from_mapping(data)) == [
        SpeechStarted(0, "a"),
        SpeechStopped(12_500, "a", "I feel like we never plan ahead."),
        SpeechStarted(12_500, "b"),
        SpeechStopped(19_000, "b", "That's fair. What would help?"),
    ]


def test_play_ticks_to_the_end_of_the_session_with_the_given_ids():
    played = list(play(Script.from_mapping(VALID), participant_ids=("p-maya", "p-david")))
    ticks = [tick for tick, _ in played]
    assert ticks == sorted(ticks)
    assert all(tick % 500 == 0 for tick in ticks)
    statuses = [
        (event.at_ms, event.data["participantId"], event.data["status"])
        for _, event in played
        if event.type == "participant_status"
    ]
    assert statuses == [
        (0, "p-maya", "speaking"),
        (12_500, "p-maya", "listening"),
        (13_000, "p-david", "speaking"),
        (19_000, "p-david", "listening"),
    ]
    assert played[-1][0] == 600_000


def test_play_uses_persona_templates():
    script = Script.from_mapping(changed("duration_minutes", 5))
    templates = {"silence": "Quiet for a while now, {a} and {b}."}
    silences = [
        event.data["message"]
        for _, event in play(script, templates=templates)
        if event.type == "intervention"
    ]
    assert silences == [
        "Quiet for a while now, Maya and David. David, how does this look from your side?"
    ]
