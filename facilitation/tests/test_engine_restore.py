"""Rebuilding a run after its worker died: nothing is said twice, nothing comes too soon."""

import pytest

from facilitation.engine import Event, Toggles

from .engine_support import DAVID, MAYA, MINUTE, SECOND, Session


def finished_speech(session: Session) -> list[tuple[str, int, int]]:
    """The segments the runtime would have stored, read off the participant_status events."""
    started: dict[str, int] = {}
    segments = []
    for event in session.of_type("participant_status"):
        participant_id = event.data["participantId"]
        if event.data["status"] == "speaking":
            started[participant_id] = event.at_ms
        else:
            segments.append((participant_id, started.pop(participant_id), event.at_ms))
    return segments


def restart(original: Session, at_ms: int, paused: bool = False) -> Session:
    """A new engine at `at_ms` on the same session, fed what the first one persisted."""
    restored = Session(duration_ms=original.duration_ms, toggles=original.toggles, start_ms=at_ms)
    restored.engine.restore(
        segments=finished_speech(original), events=list(original.events), paused=paused
    )
    restored.paused = paused
    return restored


def test_it_continues_without_repeating_anything():
    original = Session()
    original.say(MAYA, 0, 250 * SECOND)
    original.run_until(300 * SECOND)
    assert original.interventions() == [("balance", 210.0, "visual", DAVID)]

    restored = restart(original, 301 * SECOND)
    restored.run_until(10 * MINUTE)
    first_minute = restored.of_type("time_remaining")[0]
    assert (first_minute.at_ms, first_minute.data) == (360 * SECOND, {"minutes": 24, "seconds": 0})
    assert restored.of_type("balance_update") == []
    # Held clocks start again at the restart (the first run would have spoken at 5:30).
    assert restored.interventions() == [("balance", 481.0, "visual", DAVID)]
    assert restored.of_type("intervention")[0].data["id"] == "int_2"


def test_gaps_and_cooldowns_count_from_interventions_before_the_restart():
    original = Session(toggles=Toggles(silence_detection=True))
    original.say(MAYA, 0, 200 * SECOND)
    original.run_until(212 * SECOND)
    assert original.interventions() == [("balance", 210.0, "visual", DAVID)]

    restored = restart(original, 213 * SECOND)
    restored.run_until(300 * SECOND)
    # Silent for 15 s after the restart at 3:48.5; the gap after 3:30 ends at 4:00.
    assert restored.interventions() == [("silence", 240.0, "visual", DAVID)]
    assert restored.ai_statuses() == [
        (218.0, "listening"),
        (240.0, "intervening"),
        (248.0, "listening"),
    ]


def test_a_silence_already_prompted_is_not_prompted_again():
    original = Session(toggles=Toggles(silence_detection=True))
    original.converse(0, 190 * SECOND)
    original.run_until(210 * SECOND)
    assert original.interventions() == [("silence", 205.5, "visual", DAVID)]

    restored = restart(original, 211 * SECOND)
    restored.run_until(10 * MINUTE)
    assert restored.interventions() == []


def test_the_time_warning_is_given_once_across_restarts():
    original = Session(duration_ms=12 * MINUTE)
    original.converse(0, 430 * SECOND)
    assert original.interventions() == [("time_warning", 420.0, "visual", None)]

    restored = restart(original, 431 * SECOND)
    restored.converse(431 * SECOND, 12 * MINUTE)
    restored.run_until(12 * MINUTE)
    assert restored.interventions() == []


def test_a_paused_session_stays_paused():
    original = Session()
    original.say(MAYA, 0, 100 * SECOND)
    original.pause()
    original.run_until(150 * SECOND)

    restored = restart(original, 151 * SECOND, paused=True)
    restored.say(MAYA, 160 * SECOND, 400 * SECOND)
    restored.run_until(400 * SECOND)
    assert {e.type for e in restored.events} == {"time_remaining"}
    restored.at(401 * SECOND)
    assert [e.data for e in restored.resume()] == [{"status": "listening"}]


def test_someone_speaking_when_the_worker_died_is_shown_listening():
    original = Session()
    original.engine.speech_started(MAYA)
    original.run_until(30 * SECOND)

    restored = restart(original, 31 * SECOND)
    restored.run_until(31 * SECOND)
    assert [(e.at_ms, e.data) for e in restored.of_type("participant_status")] == [
        (31 * SECOND, {"participantId": MAYA, "status": "listening"})
    ]


def test_restore_must_come_first():
    session = Session()
    session.run_until(0)
    with pytest.raises(RuntimeError, match="before any input or tick"):
        session.engine.restore(segments=[], events=[], paused=False)


@pytest.mark.parametrize(
    ("segment", "reason"),
    [(("p-nobody", 0, 10), "unknown participant"), ((MAYA, 10, 5), "start <= end")],
)
def test_bad_segments_are_refused(segment, reason):
    with pytest.raises(ValueError, match=reason):
        Session().engine.restore(segments=[segment], events=[], paused=False)


def test_events_the_engine_did_not_make_are_skipped():
    session = Session()
    foreign = Event("session_state", 5 * SECOND, {"status": "in_progress"})
    session.engine.restore(segments=[], events=[foreign], paused=False)
    session.run_until(0)
    assert [e.type for e in session.events] == ["time_remaining", "balance_update", "ai_status"]
