"""The facilitation rules of DESIGN.md, one behaviour per test. Times in the comments are
session seconds; the window share counts only once 30 s of talk are in the window."""

import pytest

from facilitation.engine import Signals, Thresholds, Toggles

from .engine_support import DAVID, MAYA, MINUTE, SECOND, Session

TENSE = Signals(tension=0.8)
OFF_GOAL = Signals(on_goal=False)
DISCLOSURE = Signals(emotional_disclosure=True)
REPAIR = Signals(repair_attempt=True)
# Long enough that a rule under test never meets the one switched off.
NEVER = 10**9


def maya_talks_alone(session: Session, until_ms: int) -> None:
    session.say(MAYA, 0, until_ms)


# Balance --------------------------------------------------------------------------------------


def test_it_prompts_the_quieter_person_after_three_minutes_above_65_percent():
    session = Session()
    maya_talks_alone(session, 250 * SECOND)
    # Maya holds the window from 0:30 (30 s of talk), so the visual prompt is due at 3:30.
    assert session.interventions() == [("balance", 210.0, "visual", DAVID)]
    message = session.of_type("intervention")[0].data["message"]
    assert "David" in message
    assert "Maya" in message


def test_visual_prompts_do_not_wait_for_the_speaker_to_finish():
    session = Session()
    maya_talks_alone(session, 215 * SECOND)
    session.run_until(215 * SECOND)
    # Due at 3:30 while Maya speaks until 3:35.
    assert session.interventions() == [("balance", 210.0, "visual", DAVID)]


def test_the_voice_prompt_waits_until_nobody_speaks():
    session = Session()
    maya_talks_alone(session, 400 * SECOND)
    session.run_until(420 * SECOND)
    # Above 70 % since 0:30: the voice prompt is due at 5:30 but Maya speaks until 6:40.
    assert session.interventions() == [
        ("balance", 210.0, "visual", DAVID),
        ("balance", 400.0, "voice", DAVID),
    ]
    assert session.ai_statuses() == [
        (0.0, "listening"),
        (210.0, "intervening"),
        (218.0, "listening"),
        (330.0, "preparing"),
        (400.0, "intervening"),
        (408.0, "listening"),
    ]


def test_no_visual_prompt_of_the_same_type_shows_while_a_voice_prompt_waits():
    session = Session()
    maya_talks_alone(session, 400 * SECOND)
    session.run_until(400 * SECOND)
    # The visual clock restarted at 3:30 and is due again at 6:30, while the voice one waits.
    assert [at for _, at, _, _ in session.interventions()] == [210.0, 400.0]


def test_a_waiting_voice_prompt_is_dropped_when_its_condition_stops_holding():
    session = Session(thresholds=Thresholds(visual_balance_hold_ms=NEVER))
    maya_talks_alone(session, 320 * SECOND)
    # David talks from 5:20: the voice prompt is due at 5:30 and waits for him; Maya's window
    # share falls to 70 % at 6:50 (220 s of her talk against 80 s of his).
    session.say(DAVID, 320 * SECOND, 420 * SECOND)
    session.run_until(440 * SECOND)
    assert session.interventions() == []
    assert session.ai_statuses() == [(0.0, "listening"), (330.0, "preparing"), (410.0, "listening")]


def test_without_interrupt_authority_the_voice_prompt_is_visual_and_does_not_wait():
    session = Session(toggles=Toggles(interrupt_authority=False))
    maya_talks_alone(session, 400 * SECOND)
    assert session.interventions() == [
        ("balance", 210.0, "visual", DAVID),
        ("balance", 330.0, "visual", DAVID),
    ]


def test_each_balance_clock_restarts_after_its_prompt_and_they_share_the_cooldown():
    session = Session(toggles=Toggles(interrupt_authority=False))
    maya_talks_alone(session, 700 * SECOND)
    # 3:30 mild, 5:30 severe (2 min after the mild one), mild due again at 6:30 but the
    # balance cooldown holds it to 7:30; both due at 10:30, severe first.
    assert [at for _, at, _, _ in session.interventions()] == [210.0, 330.0, 450.0, 630.0]


def test_the_balance_clock_restarts_when_the_share_drops():
    session = Session()
    session.say(MAYA, 0, 120 * SECOND)
    # David talks until Maya's share is back under 65 % (at 3:05), before her 3 minutes.
    session.say(DAVID, 120 * SECOND, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 450 * SECOND)
    # Maya's share (t - 80 s) / t passes 65 % again at 3:49: the prompt comes 3 minutes later.
    assert session.interventions() == [("balance", 409.0, "visual", DAVID)]


def test_balance_is_not_judged_on_less_than_30_seconds_of_talk():
    session = Session(duration_ms=60 * MINUTE)
    session.say(MAYA, 0, 20 * SECOND)
    session.run_until(10 * MINUTE)
    assert session.interventions() == []


def test_an_even_conversation_gets_no_balance_prompt():
    session = Session()
    session.converse(0, 15 * MINUTE)
    assert session.interventions() == []


# Quiet start, gap, cooldown -------------------------------------------------------------------


def test_it_gives_no_intervention_in_the_first_three_minutes():
    session = Session(thresholds=Thresholds(visual_balance_hold_ms=MINUTE))
    maya_talks_alone(session, 200 * SECOND)
    # Due at 1:30, held back by the quiet start.
    assert session.interventions() == [("balance", 180.0, "visual", DAVID)]


def test_the_time_warning_is_not_held_by_the_quiet_start():
    session = Session(
        duration_ms=11 * MINUTE, thresholds=Thresholds(time_warning_remaining_ms=10 * MINUTE)
    )
    session.converse(0, 90 * SECOND)
    assert session.interventions() == [("time_warning", 60.0, "visual", None)]


def test_it_waits_thirty_seconds_between_any_two_interventions():
    session = Session(toggles=Toggles(silence_detection=True))
    maya_talks_alone(session, 200 * SECOND)
    session.run_until(300 * SECOND)
    # Silent for more than 15 s at 3:35.5, but the balance prompt came at 3:30.
    assert session.interventions() == [
        ("balance", 210.0, "visual", DAVID),
        ("silence", 240.0, "visual", DAVID),
    ]


def test_the_time_warning_waits_for_the_gap_then_fires_once():
    session = Session(duration_ms=20 * MINUTE, toggles=Toggles(silence_detection=True))
    session.converse(0, 870 * SECOND)
    session.run_until(20 * MINUTE)
    # Silence prompt at 14:45.5; five minutes are left at 15:00, the gap ends at 15:15.5.
    assert session.interventions() == [
        ("silence", 885.5, "visual", DAVID),
        ("time_warning", 915.5, "visual", None),
    ]


def test_the_same_type_waits_two_minutes():
    session = Session(toggles=Toggles(silence_detection=True))
    session.converse(0, 190 * SECOND)
    session.say(MAYA, 230 * SECOND, 240 * SECOND)
    session.run_until(400 * SECOND)
    # The second silence is due at 4:15.5, the silence cooldown ends at 5:25.5.
    assert session.interventions() == [
        ("silence", 205.5, "visual", DAVID),
        ("silence", 325.5, "visual", DAVID),
    ]


# Silence ---------------------------------------------------------------------------------------


def test_silence_is_prompted_once_per_silent_stretch():
    session = Session(toggles=Toggles(silence_detection=True))
    session.converse(0, 190 * SECOND)
    session.run_until(10 * MINUTE)
    # Maya had 10 turns, David 9: the prompt turns to him.
    assert session.interventions() == [("silence", 205.5, "visual", DAVID)]


def test_silence_is_not_prompted_without_silence_detection():
    session = Session()
    session.converse(0, 200 * SECOND)
    session.run_until(10 * MINUTE)
    assert session.interventions() == []


def test_the_silence_prompt_has_no_target_when_both_talked_equally():
    session = Session(toggles=Toggles(silence_detection=True))
    session.converse(0, 200 * SECOND)
    session.run_until(260 * SECOND)
    silence = session.of_type("intervention")[0].data
    assert session.interventions() == [("silence", 215.5, "visual", None)]
    assert "Maya" not in silence["message"]  # no direct question without a target


def test_a_silence_before_anyone_spoke_gets_an_icebreaker():
    session = Session(toggles=Toggles(silence_detection=True))
    session.run_until(200 * SECOND)
    assert session.interventions() == [("icebreaker", 180.0, "visual", None)]


# Blockers -------------------------------------------------------------------------------------


def test_nothing_is_said_for_a_minute_after_an_emotional_disclosure():
    session = Session(toggles=Toggles(silence_detection=True))
    # Silent for more than 15 s at 3:34.5; the disclosure ended at 3:19.
    session.converse(0, 190 * SECOND)
    session.say(DAVID, 191 * SECOND, 199 * SECOND, DISCLOSURE)
    session.run_until(300 * SECOND)
    assert session.interventions() == [("silence", 259.0, "visual", DAVID)]


def test_disclosures_do_not_block_without_sentiment_detection():
    session = Session(toggles=Toggles(silence_detection=True, sentiment_detection=False))
    session.converse(0, 190 * SECOND)
    session.say(DAVID, 191 * SECOND, 199 * SECOND, DISCLOSURE)
    session.run_until(300 * SECOND)
    assert session.interventions() == [("silence", 214.5, "visual", DAVID)]


def test_nothing_is_said_for_30_seconds_after_a_repair_attempt():
    session = Session(toggles=Toggles(silence_detection=True))
    session.converse(0, 190 * SECOND)
    session.say(DAVID, 191 * SECOND, 199 * SECOND, REPAIR)
    session.run_until(300 * SECOND)
    assert session.interventions() == [("silence", 229.0, "visual", DAVID)]


def test_the_time_warning_waits_for_a_repair_attempt_to_land():
    session = Session(duration_ms=20 * MINUTE)
    session.converse(0, 890 * SECOND)
    session.say(MAYA, 890 * SECOND, 895 * SECOND, REPAIR)
    session.run_until(20 * MINUTE)
    assert session.interventions() == [("time_warning", 925.0, "visual", None)]


# Time -----------------------------------------------------------------------------------------


def test_a_session_of_ten_minutes_gets_no_time_warning():
    session = Session(duration_ms=10 * MINUTE)
    session.converse(0, 10 * MINUTE)
    assert session.interventions() == []


def test_a_session_longer_than_ten_minutes_gets_one_warning_at_five_minutes_left():
    session = Session(duration_ms=10 * MINUTE + 30 * SECOND)
    session.converse(0, 10 * MINUTE + 30 * SECOND)
    session.run_until(12 * MINUTE)
    assert session.interventions() == [("time_warning", 330.0, "visual", None)]
    assert "5 min" in session.of_type("intervention")[0].data["message"]


# Escalation and goal drift --------------------------------------------------------------------


def test_two_tense_utterances_within_30_seconds_are_an_escalation():
    session = Session()
    session.converse(0, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 210 * SECOND, TENSE)
    session.say(DAVID, 211 * SECOND, 220 * SECOND, TENSE)
    session.run_until(300 * SECOND)
    escalation = [(e.at_ms / SECOND, e.data) for e in session.of_type("escalation")]
    # Announced when the second one ends; over once the first is 30 s old.
    assert escalation == [
        (220.0, {"detected": True, "tension": 0.8}),
        (240.5, {"detected": False}),
    ]
    assert session.interventions() == [("escalation", 220.0, "voice", None)]


def test_tense_utterances_further_apart_are_no_escalation():
    session = Session()
    session.converse(0, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 210 * SECOND, TENSE)
    session.say(DAVID, 241 * SECOND, 250 * SECOND, TENSE)
    session.run_until(300 * SECOND)
    assert session.of_type("escalation") == []


def test_escalation_is_not_watched_without_tension_monitoring():
    session = Session(toggles=Toggles(tension_monitoring=False))
    session.converse(0, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 210 * SECOND, TENSE)
    session.say(DAVID, 211 * SECOND, 220 * SECOND, TENSE)
    session.run_until(300 * SECOND)
    assert session.of_type("escalation") == []
    assert session.interventions() == []


def test_the_escalation_voice_prompt_waits_for_a_pause():
    session = Session()
    session.converse(0, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 210 * SECOND, TENSE)
    session.say(DAVID, 210 * SECOND, 220 * SECOND, TENSE)
    session.say(MAYA, 220 * SECOND, 230 * SECOND)
    session.run_until(300 * SECOND)
    assert session.interventions() == [("escalation", 230.0, "voice", None)]


def test_goal_drift_needs_three_off_goal_utterances_over_two_minutes():
    session = Session()
    session.converse(0, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 210 * SECOND, OFF_GOAL)
    session.say(DAVID, 211 * SECOND, 270 * SECOND, OFF_GOAL)
    session.say(MAYA, 271 * SECOND, 330 * SECOND, Signals(on_goal=None))
    session.say(DAVID, 331 * SECOND, 340 * SECOND, OFF_GOAL)
    session.say(MAYA, 341 * SECOND, 350 * SECOND, Signals(on_goal=True))
    session.run_until(360 * SECOND)
    drift = [(e.at_ms / SECOND, e.data) for e in session.of_type("goal_drift")]
    assert drift == [
        (340.0, {"detected": True, "duration_seconds": 130}),
        (350.0, {"detected": False, "duration_seconds": 0}),
    ]
    assert session.interventions() == [("goal_drift", 340.0, "visual", None)]


def test_an_on_goal_utterance_ends_the_off_goal_run():
    session = Session()
    session.converse(0, 200 * SECOND)
    session.say(MAYA, 200 * SECOND, 210 * SECOND, OFF_GOAL)
    session.say(DAVID, 211 * SECOND, 270 * SECOND, OFF_GOAL)
    session.say(MAYA, 271 * SECOND, 280 * SECOND, Signals(on_goal=True))
    session.say(DAVID, 331 * SECOND, 340 * SECOND, OFF_GOAL)
    session.run_until(360 * SECOND)
    assert session.of_type("goal_drift") == []


def test_goal_drift_is_not_tracked_without_a_goal():
    session = Session(goal="")
    session.converse(0, 200 * SECOND)
    for start in (200, 260, 320):
        session.say(MAYA, start * SECOND, (start + 10) * SECOND, OFF_GOAL)
    session.run_until(360 * SECOND)
    assert session.of_type("goal_drift") == []


# Priority -------------------------------------------------------------------------------------


def test_prompts_due_together_come_in_priority_order():
    session = Session(
        duration_ms=11 * MINUTE,
        thresholds=Thresholds(
            visual_balance_hold_ms=10 * SECOND,
            # Long enough that the severe prompt is not due again by the end.
            voice_balance_hold_ms=150 * SECOND,
            time_warning_remaining_ms=8 * MINUTE,
        ),
        toggles=Toggles(silence_detection=True),
    )
    # At 3:00 all six prompts are due (five of them held back by the quiet start).
    session.say(MAYA, 0, 40 * SECOND, OFF_GOAL)
    session.say(MAYA, 41 * SECOND, 100 * SECOND, OFF_GOAL)
    session.say(MAYA, 101 * SECOND, 160 * SECOND, Signals(tension=0.8, on_goal=False))
    session.say(MAYA, 161 * SECOND, 164 * SECOND, Signals(tension=0.9, on_goal=False))
    session.run_until(400 * SECOND)
    assert session.interventions() == [
        ("escalation", 180.0, "voice", None),
        ("balance", 210.0, "voice", DAVID),
        ("time_warning", 240.0, "visual", None),
        ("silence", 270.0, "visual", DAVID),
        # The mild balance prompt is next, but the balance cooldown lets goal drift go first.
        ("goal_drift", 300.0, "visual", None),
        ("balance", 330.0, "visual", DAVID),
    ]


# Switches -------------------------------------------------------------------------------------


def test_without_facilitated_prompts_it_measures_but_never_intervenes():
    session = Session(toggles=Toggles(facilitated_prompts=False, silence_detection=True))
    maya_talks_alone(session, 400 * SECOND)
    session.run_until(10 * MINUTE)
    assert session.interventions() == []
    assert session.of_type("balance_update")[-1].data["status"] == "severe_imbalance"


def test_prompts_switched_back_on_fire_what_is_due():
    session = Session(toggles=Toggles(facilitated_prompts=False))
    maya_talks_alone(session, 390 * SECOND)
    session.at(394 * SECOND)
    session.update_toggles(facilitated_prompts=True)
    session.run_until(400 * SECOND)
    assert session.interventions() == [("balance", 394.0, "voice", DAVID)]


def test_switching_prompts_off_drops_a_waiting_voice_prompt_at_once():
    session = Session(thresholds=Thresholds(visual_balance_hold_ms=NEVER))
    session.engine.speech_started(MAYA)
    session.at(335 * SECOND + 200)
    assert session.ai_statuses()[-1] == (330.0, "preparing")
    events = session.update_toggles(facilitated_prompts=False)
    assert [(e.at_ms, e.data) for e in events] == [(335_200, {"status": "listening"})]
    session.say(MAYA, 336 * SECOND, 340 * SECOND)
    session.run_until(400 * SECOND)
    assert session.interventions() == []


def test_direct_inquiry_adds_a_question_to_the_target():
    session = Session()
    maya_talks_alone(session, 250 * SECOND)
    message = session.of_type("intervention")[0].data["message"]
    assert message.endswith("David, how does this look from your side?")


def test_without_direct_inquiry_there_is_no_question():
    session = Session(toggles=Toggles(direct_inquiry=False))
    maya_talks_alone(session, 250 * SECOND)
    message = session.of_type("intervention")[0].data["message"]
    assert "how does this look from your side" not in message


def test_persona_templates_replace_the_defaults():
    session = Session(
        templates={"balance": "I notice {talker} has carried most of this. {quiet}?"},
        toggles=Toggles(direct_inquiry=False),
    )
    maya_talks_alone(session, 250 * SECOND)
    message = session.of_type("intervention")[0].data["message"]
    assert message == "I notice Maya has carried most of this. David?"


def test_a_bad_persona_template_is_refused_up_front():
    with pytest.raises(ValueError, match="placeholder"):
        Session(templates={"silence": "{minutes} of silence"})


# Pause and resume -----------------------------------------------------------------------------


def test_nothing_happens_while_paused_and_held_clocks_restart_on_resume():
    session = Session()
    session.say(MAYA, 0, 200 * SECOND)
    assert session.pause()[-1].data == {"status": "paused"}
    session.at(400 * SECOND)
    session.resume()
    session.say(MAYA, 400 * SECOND, 700 * SECOND)
    # Due at 3:30 without the pause; after it Maya needs another 3 minutes above 65 %.
    assert session.interventions() == [("balance", 580.0, "visual", DAVID)]


def test_pausing_closes_an_ongoing_utterance_and_ignores_speech_until_resume():
    session = Session()
    session.run_until(10 * SECOND)
    session.engine.speech_started(MAYA)
    session.at(20 * SECOND)
    events = session.pause()
    assert [(e.type, e.at_ms, e.data) for e in events] == [
        ("participant_status", 20 * SECOND, {"participantId": MAYA, "status": "listening"}),
        ("ai_status", 20 * SECOND, {"status": "paused"}),
    ]
    session.engine.speech_started(DAVID)
    session.run_until(60 * SECOND)
    assert session.engine.balance()["participantA"]["percentage"] == 100
    paused_ticks = [tick for tick in session.ticks if tick.paused]
    assert {e.type for tick in paused_ticks for e in tick.events} == {"time_remaining"}


def test_time_remaining_keeps_flowing_while_paused():
    session = Session(duration_ms=5 * MINUTE)
    session.pause()
    session.run_until(5 * MINUTE)
    minutes = [e.data["minutes"] for e in session.of_type("time_remaining")]
    assert minutes == [5, 4, 3, 2, 1, 0]


def test_pausing_drops_a_waiting_voice_prompt():
    session = Session(thresholds=Thresholds(visual_balance_hold_ms=NEVER))
    session.engine.speech_started(MAYA)
    session.at(340 * SECOND)
    session.pause()
    session.at(345 * SECOND)
    session.resume()
    session.run_until(400 * SECOND)
    assert session.interventions() == []
    assert session.ai_statuses()[-3:] == [
        (330.0, "preparing"),
        (340.0, "paused"),
        (345.0, "listening"),
    ]


def test_a_time_warning_due_while_paused_fires_after_resume():
    session = Session(duration_ms=20 * MINUTE)
    session.converse(0, 14 * MINUTE)
    session.pause()
    session.at(16 * MINUTE)
    session.resume()
    session.run_until(17 * MINUTE)
    assert session.interventions() == [("time_warning", 960.0, "visual", None)]
