"""The example scripts in facilitation/simulations/ do exactly what their headers say.

The expected interventions were worked out from the rules and each script's timings (see the
comment header of each script), then checked against the engine."""

from pathlib import Path

import pytest

from facilitation.simulation import load_script, play

SCRIPTS = Path(__file__).resolve().parent.parent / "simulations"

EXPECTED = {
    # Even talk throughout; 12 minutes, so five minutes are left at 7:00.
    "balanced.yaml": [("time_warning", 420.0, "visual", None)],
    # Priya above 70 % of the window from 0:31: mild (65 %, 3 min) at 3:31 while she talks;
    # severe (70 %, 5 min) due at 5:31, voiced once she stops at 5:50.
    "one_sided.yaml": [
        ("balance", 211.0, "visual", "b"),
        ("balance", 350.0, "voice", "b"),
    ],
    # Silences from 3:16 and 6:56 are prompted 15 s in; the one from 4:21 falls in the silence
    # cooldown and the one from 5:26 follows Omar's disclosure. Omar has talked less each time.
    "long_silences.yaml": [
        ("silence", 211.5, "visual", "b"),
        ("silence", 431.5, "visual", "b"),
    ],
    # Five minutes left at 7:00, but Luis's apology ended at 6:45: held until 7:15.
    "time_warning.yaml": [("time_warning", 435.0, "visual", None)],
    # Tense turns end at 3:34 and 3:42; Maya speaks on until 3:49. Off goal from 5:52 (the
    # wedding) until a turn at 8:00 makes it two minutes; five minutes are left at 7:00.
    "heated.yaml": [
        ("escalation", 229.0, "voice", None),
        ("time_warning", 420.0, "visual", None),
        ("goal_drift", 480.0, "visual", None),
    ],
}


def events_of(name: str) -> list:
    return [event for _, event in play(load_script(SCRIPTS / name))]


def test_every_example_script_has_its_expectations():
    assert sorted(path.name for path in SCRIPTS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_script_gives_exactly_its_interventions(name):
    interventions = [
        (e.data["type"], e.at_ms / 1000, e.data["modality"], e.data["targetParticipant"])
        for e in events_of(name)
        if e.type == "intervention"
    ]
    assert interventions == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_script_runs_to_the_end_of_its_session(name):
    script = load_script(SCRIPTS / name)
    last = events_of(name)[-1]
    assert (last.type, last.at_ms, last.data) == (
        "time_remaining",
        script.duration_ms,
        {"minutes": 0, "seconds": 0},
    )


def test_the_one_sided_voice_prompt_waits_for_priya_to_finish():
    ai = [
        (e.at_ms / 1000, e.data["status"])
        for e in events_of("one_sided.yaml")
        if e.type == "ai_status"
    ]
    assert (331.0, "preparing") in ai
    assert ai[ai.index((331.0, "preparing")) + 1] == (350.0, "intervening")


def test_prompts_name_the_quieter_person():
    one_sided = [e for e in events_of("one_sided.yaml") if e.type == "intervention"]
    assert all("make some room for Tom" in e.data["message"] for e in one_sided)
    silences = [e for e in events_of("long_silences.yaml") if e.type == "intervention"]
    assert all(
        e.data["message"].endswith("Omar, how does this look from your side?") for e in silences
    )


def test_the_heated_couple_escalates_and_drifts_once_each():
    episodes = [
        (e.type, e.at_ms / 1000, e.data)
        for e in events_of("heated.yaml")
        if e.type in ("escalation", "goal_drift")
    ]
    assert episodes == [
        ("escalation", 222.0, {"detected": True, "tension": 1.0}),
        ("escalation", 244.5, {"detected": False}),
        ("goal_drift", 480.0, {"detected": True, "duration_seconds": 127}),
        ("goal_drift", 493.5, {"detected": False, "duration_seconds": 0}),
    ]


def test_the_balanced_couple_stays_balanced():
    updates = [e for e in events_of("balanced.yaml") if e.type == "balance_update"]
    assert updates[-1].data["status"] == "balanced"
