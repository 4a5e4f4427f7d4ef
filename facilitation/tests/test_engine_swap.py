"""Speaker labels swapped by one of the two people: the talk so far changes hands."""

from .engine_support import DAVID, MAYA, SECOND, Session


def _shares(event) -> tuple[int, int]:
    return (event.data["participantA"]["percentage"], event.data["participantB"]["percentage"])


def test_the_balance_is_recomputed_with_the_talk_the_other_way_round():
    session = Session()
    session.say(MAYA, 0, 30 * SECOND)
    session.say(DAVID, 30 * SECOND, 40 * SECOND)
    session.run_until(45 * SECOND)
    assert _shares(session.of_type("balance_update")[-1]) == (75, 25)

    session.at(46 * SECOND)
    session.engine.swap_speakers()
    session.run_until(50 * SECOND)
    # Maya really said the 10 s, David the 30 s.
    assert _shares(session.of_type("balance_update")[-1]) == (25, 75)


def test_who_is_speaking_changes_hands_too():
    session = Session()
    session.at(5 * SECOND)
    session.engine.speech_started(MAYA)
    session.at(10 * SECOND)
    session.engine.swap_speakers()
    session.run_until(10 * SECOND)
    statuses = [(e.at_ms, e.data) for e in session.of_type("participant_status")]
    assert statuses[-2:] == [
        (10 * SECOND, {"participantId": MAYA, "status": "listening"}),
        (10 * SECOND, {"participantId": DAVID, "status": "speaking"}),
    ]
    session.at(20 * SECOND)
    session.engine.speech_stopped(DAVID)
    session.run_until(25 * SECOND)
    # 5-10 s was David all along, and so is 10-20 s.
    assert _shares(session.of_type("balance_update")[-1]) == (0, 100)


def test_a_balance_prompt_goes_to_whoever_is_really_quiet():
    session = Session()
    session.say(MAYA, 0, 200 * SECOND)
    session.say(DAVID, 200 * SECOND, 205 * SECOND)
    session.at(206 * SECOND)
    session.engine.swap_speakers()  # it was David who talked for 200 s
    session.run_until(240 * SECOND)
    [(kind, _, _, target)] = session.interventions()
    assert (kind, target) == ("balance", MAYA)
