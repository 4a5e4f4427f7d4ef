"""The events the engine emits, as the events websocket sends them (spec §6.2)."""

import json

import pytest

from facilitation.engine import EVENT_TYPES, Signals

from .engine_support import DAVID, MAYA, MINUTE, SECOND, Session


def test_the_first_tick_says_time_balance_and_listening():
    session = Session(duration_ms=20 * MINUTE)
    session.run_until(0)
    assert [(e.type, e.at_ms, e.data) for e in session.events] == [
        ("time_remaining", 0, {"minutes": 20, "seconds": 0}),
        (
            "balance_update",
            0,
            {
                "participantA": {"id": MAYA, "name": "Maya", "percentage": 50},
                "participantB": {"id": DAVID, "name": "David", "percentage": 50},
                "status": "balanced",
                "overlaps": {MAYA: 0, DAVID: 0},
                "interruptions": {MAYA: 0, DAVID: 0},
            },
        ),
        ("ai_status", 0, {"status": "listening"}),
    ]


def test_balance_updates_flow_while_people_talk_and_stop_in_silence():
    session = Session()
    session.say(MAYA, 0, 10 * SECOND)
    session.say(DAVID, 10 * SECOND, 14 * SECOND)
    session.run_until(60 * SECOND)
    updates = [
        (e.at_ms / SECOND, e.data["participantA"]["percentage"], e.data["status"])
        for e in session.of_type("balance_update")
    ]
    # At most every 1.5 s, only on a change: nothing after David stops at 0:14.
    assert updates == [
        (0.0, 50, "balanced"),
        (1.5, 100, "severe_imbalance"),
        (10.5, 95, "severe_imbalance"),
        (12.0, 83, "severe_imbalance"),
        (13.5, 74, "severe_imbalance"),
        (15.0, 71, "severe_imbalance"),
    ]


def test_balance_shares_are_cumulative_and_sum_to_100():
    session = Session()
    session.say(MAYA, 0, 20 * SECOND)
    session.say(DAVID, 20 * SECOND, 30 * SECOND)
    session.run_until(40 * SECOND)
    balance = session.engine.balance()
    assert (balance["participantA"]["percentage"], balance["participantB"]["percentage"]) == (
        67,
        33,
    )
    assert balance["status"] == "mild_imbalance"


def test_ongoing_speech_counts_up_to_now():
    session = Session()
    session.say(MAYA, 0, 10 * SECOND)
    session.at(20 * SECOND)
    session.engine.speech_started(DAVID)
    session.at(25 * SECOND)
    assert session.engine.balance()["participantB"]["percentage"] == 33


def test_participant_status_carries_the_time_of_the_input():
    session = Session()
    session.at(10 * SECOND + 100)
    session.engine.speech_started(MAYA, at_ms=9 * SECOND + 800)  # VAD onsets arrive late
    session.at(12 * SECOND)
    session.engine.speech_stopped(MAYA)
    session.run_until(12 * SECOND)
    statuses = [(e.at_ms, e.data) for e in session.of_type("participant_status")]
    assert statuses == [
        (9_800, {"participantId": MAYA, "status": "speaking"}),
        (12_000, {"participantId": MAYA, "status": "listening"}),
    ]
    assert session.engine.balance()["participantA"]["percentage"] == 100


def test_inputs_are_never_dated_in_the_future():
    session = Session()
    session.at(10 * SECOND)
    session.engine.speech_started(MAYA, at_ms=50 * SECOND)
    session.run_until(10 * SECOND)
    assert session.of_type("participant_status")[0].at_ms == 10 * SECOND


def test_time_remaining_comes_every_minute_and_ends_at_zero():
    session = Session(duration_ms=3 * MINUTE + 30 * SECOND)
    session.run_until(6 * MINUTE)
    remaining = [(e.at_ms / SECOND, e.data) for e in session.of_type("time_remaining")]
    assert remaining == [
        (0.0, {"minutes": 3, "seconds": 30}),
        (60.0, {"minutes": 2, "seconds": 30}),
        (120.0, {"minutes": 1, "seconds": 30}),
        (180.0, {"minutes": 0, "seconds": 30}),
        (210.0, {"minutes": 0, "seconds": 0}),
    ]


def test_ai_status_is_only_sent_when_it_changes():
    session = Session()
    session.converse(0, 5 * MINUTE)
    assert session.ai_statuses() == [(0.0, "listening")]


def test_escalation_and_goal_drift_events_mark_only_start_and_end():
    session = Session()
    session.converse(0, 200 * SECOND)
    tense_and_off_goal = Signals(tension=0.9, on_goal=False)
    for start in (200, 215, 230, 330):
        session.say(MAYA, start * SECOND, (start + 10) * SECOND, tense_and_off_goal)
    session.say(DAVID, 350 * SECOND, 360 * SECOND, Signals(on_goal=True))
    session.run_until(400 * SECOND)
    episodes = [
        (e.type, e.at_ms / SECOND, e.data)
        for e in session.events
        if e.type in ("escalation", "goal_drift")
    ]
    # Tense utterances end at 3:30, 3:45, 4:00: two of them within 30 s until 4:15.5.
    # Off goal from 3:30 to 5:40, over 2 minutes, until David is back on goal at 6:00.
    assert episodes == [
        ("escalation", 225.0, {"detected": True, "tension": 0.9}),
        ("escalation", 255.5, {"detected": False}),
        ("goal_drift", 340.0, {"detected": True, "duration_seconds": 130}),
        ("goal_drift", 360.0, {"detected": False, "duration_seconds": 0}),
    ]


def test_events_of_one_call_are_ordered_by_time_then_type():
    session = Session()
    session.at(10 * SECOND)
    session.engine.speech_started(MAYA)
    session.engine.speech_stopped(MAYA)
    session.engine.speech_started(DAVID, at_ms=9 * SECOND)
    assert [(e.at_ms, e.type, e.data.get("participantId")) for e in session.engine.tick()] == [
        (9_000, "participant_status", DAVID),
        (10_000, "participant_status", MAYA),
        (10_000, "participant_status", MAYA),
        (10_000, "balance_update", None),
    ]


def test_every_event_is_json_with_camel_case_keys():
    session = Session(duration_ms=12 * MINUTE)
    session.say(MAYA, 0, 250 * SECOND)
    session.run_until(12 * MINUTE)
    for event in session.events:
        assert event.type in EVENT_TYPES
        json.dumps(event.data)
    intervention = session.of_type("intervention")[0].data
    assert set(intervention) == {"id", "type", "modality", "message", "targetParticipant"}
    ids = [e.data["id"] for e in session.of_type("intervention")]
    assert len(ids) >= 3
    assert ids == [f"int_{number}" for number in range(1, len(ids) + 1)]


def test_unknown_participants_are_refused():
    session = Session()
    for call in (
        lambda: session.engine.speech_started("p-nobody"),
        lambda: session.engine.speech_stopped("p-nobody"),
        lambda: session.engine.observe("p-nobody", Signals()),
    ):
        with pytest.raises(ValueError, match="unknown participant"):
            call()


def test_starting_twice_or_stopping_while_silent_is_ignored():
    session = Session()
    session.engine.speech_stopped(MAYA)
    session.engine.speech_started(MAYA)
    session.at(5 * SECOND)
    session.engine.speech_started(MAYA)
    session.at(10 * SECOND)
    session.engine.speech_stopped(MAYA)
    session.run_until(10 * SECOND)
    statuses = [(e.at_ms, e.data["status"]) for e in session.of_type("participant_status")]
    assert statuses == [(0, "speaking"), (10_000, "listening")]


def test_overlapping_speech_counts_for_both():
    session = Session()
    session.engine.speech_started(MAYA)
    session.at(10 * SECOND)
    session.engine.speech_started(DAVID)
    session.at(20 * SECOND)
    session.engine.speech_stopped(MAYA)
    session.engine.speech_stopped(DAVID)
    balance = session.engine.balance()
    assert (balance["participantA"]["percentage"], balance["participantB"]["percentage"]) == (
        67,
        33,
    )
