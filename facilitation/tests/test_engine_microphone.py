"""A person's microphone: muted or dropped, what they were saying ends; back, heard again."""

import pytest

from .engine_support import DAVID, MAYA, SECOND, Session


def _statuses(session, who=MAYA):
    return [
        (e.at_ms, e.data["status"])
        for e in session.of_type("participant_status")
        if e.data["participantId"] == who
    ]


def test_muting_mid_sentence_ends_the_turn_where_the_mute_came():
    session = Session()
    session.at(2 * SECOND)
    session.engine.speech_started(MAYA)
    session.at(5 * SECOND)
    session.engine.microphone(MAYA, "muted")
    session.run_until(10 * SECOND)
    assert _statuses(session) == [(2 * SECOND, "speaking"), (5 * SECOND, "muted")]
    assert session.engine.balance()["participantA"]["percentage"] == 100
    # Three seconds of Maya, nothing of David, however long the mute lasts.
    session.at(60 * SECOND)
    session.engine.microphone(MAYA, "listening")
    session.run_until(61 * SECOND)
    assert _statuses(session)[-1] == (60 * SECOND, "listening")


def test_a_dropped_person_is_not_heard_until_back_and_nothing_is_counted_twice():
    session = Session()
    session.say(DAVID, 0, 10 * SECOND)
    session.at(11 * SECOND)
    session.engine.speech_started(MAYA)
    session.at(15 * SECOND)
    session.engine.microphone(MAYA, "disconnected")
    session.engine.speech_stopped(MAYA, 14 * SECOND)  # the listener's late word on it
    session.engine.speech_started(MAYA)  # nothing of hers can be heard while she is gone
    session.at(20 * SECOND)
    session.engine.microphone(MAYA, "listening")
    session.engine.speech_started(MAYA, 20 * SECOND)
    session.at(24 * SECOND)
    session.engine.speech_stopped(MAYA, 24 * SECOND)
    session.run_until(25 * SECOND)
    assert _statuses(session) == [
        (11 * SECOND, "speaking"),
        (15 * SECOND, "disconnected"),
        (20 * SECOND, "listening"),
        (20 * SECOND, "speaking"),
        (24 * SECOND, "listening"),
    ]
    # 11-15 s and 20-24 s: eight seconds of Maya to David's ten.
    balance = session.engine.balance()
    assert (balance["participantA"]["percentage"], balance["participantB"]["percentage"]) == (
        44,
        56,
    )


def test_the_same_status_twice_is_told_once():
    session = Session()
    session.at(SECOND)
    session.engine.microphone(MAYA, "muted")
    session.engine.microphone(MAYA, "muted")
    session.run_until(2 * SECOND)
    assert _statuses(session) == [(SECOND, "muted")]


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="muted"):
        Session().engine.microphone(MAYA, "asleep")
