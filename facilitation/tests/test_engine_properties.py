"""Properties that hold for any conversation: random speech, signals, settings and pauses."""

from dataclasses import asdict, dataclass
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.engine import Signals, Toggles
from facilitation.engine.talk import talk_shares

from .engine_support import DAVID, MAYA, MINUTE, SECOND, Session

QUIET_START_MS = 3 * MINUTE
MIN_GAP_MS = 30 * SECOND


@dataclass(frozen=True)
class Step:
    """After `delay_ms`, one thing happens."""

    delay_ms: int
    action: str
    participant_id: str = MAYA
    duration_ms: int = 0
    signals: Signals | None = None
    toggles: Toggles | None = None


people = st.sampled_from([MAYA, DAVID])
signals = st.builds(
    Signals,
    tension=st.sampled_from([0.0, 0.35, 0.7, 0.9, 1.0]),
    emotional_disclosure=st.booleans(),
    repair_attempt=st.booleans(),
    on_goal=st.sampled_from([None, True, False]),
)
mostly_on = st.sampled_from([True, True, True, False])
toggles = st.builds(
    Toggles,
    interrupt_authority=st.booleans(),
    direct_inquiry=st.booleans(),
    silence_detection=st.booleans(),
    facilitated_prompts=mostly_on,
    sentiment_detection=mostly_on,
    tension_monitoring=mostly_on,
)
delays = st.integers(min_value=0, max_value=90 * SECOND)
pauses = st.integers(min_value=0, max_value=20 * SECOND)
turns = st.builds(
    Step,
    pauses,
    st.just("turn"),
    people,
    st.integers(min_value=SECOND, max_value=2 * MINUTE),
    signals,
)
# Turns make most of a conversation; loose starts and stops make overlaps.
steps = st.one_of(
    turns,
    turns,
    turns,
    turns,
    st.builds(Step, delays, st.sampled_from(["start", "stop"]), people),
    st.builds(Step, delays, st.just("observe"), people, signals=signals),
    st.builds(Step, delays, st.sampled_from(["pause", "resume"])),
    st.builds(Step, delays, st.just("toggles"), toggles=toggles),
)
conversations = st.tuples(
    st.sampled_from([5, 10, 11, 12, 20, 30]),
    toggles,
    st.lists(steps, min_size=20, max_size=60),
)


def play(conversation: tuple[int, Toggles, list[Step]]) -> Session:
    minutes, initial, plan = conversation
    session = Session(duration_ms=minutes * MINUTE, toggles=initial)
    now = 0
    for step in plan:
        now += step.delay_ms
        session.at(now)
        if step.action == "turn" and step.signals is not None:
            session.engine.speech_started(step.participant_id)
            now += step.duration_ms
            session.at(now)
            session.engine.speech_stopped(step.participant_id)
            session.engine.observe(step.participant_id, step.signals)
        elif step.action == "start":
            session.engine.speech_started(step.participant_id)
        elif step.action == "stop":
            session.engine.speech_stopped(step.participant_id)
        elif step.action == "observe" and step.signals is not None:
            session.engine.observe(step.participant_id, step.signals)
        elif step.action == "pause":
            session.pause()
        elif step.action == "resume":
            session.resume()
        elif step.toggles is not None:
            session.update_toggles(**asdict(step.toggles))
    session.run_until(now + 6 * MINUTE)
    return session


def assert_valid_balance(data: dict) -> None:
    shares = (data["participantA"]["percentage"], data["participantB"]["percentage"])
    assert all(isinstance(share, int) and 0 <= share <= 100 for share in shares)
    assert sum(shares) == 100
    top = max(shares)
    expected = "balanced" if top <= 60 else "mild_imbalance" if top <= 70 else "severe_imbalance"
    assert data["status"] == expected


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_shares_are_two_integers_summing_to_100(first_ms, second_ms):
    shares = talk_shares(first_ms, second_ms)
    assert sum(shares) == 100
    assert all(isinstance(share, int) for share in shares)
    if first_ms > second_ms:
        assert shares[0] >= shares[1]


@settings(max_examples=100, deadline=None)
@given(conversations)
def test_every_balance_update_is_valid(conversation):
    session = play(conversation)
    for event in session.of_type("balance_update"):
        assert_valid_balance(event.data)
    assert_valid_balance(session.engine.balance())


@settings(max_examples=100, deadline=None)
@given(conversations)
def test_interventions_respect_the_quiet_start_and_the_gap(conversation):
    session = play(conversation)
    interventions = session.of_type("intervention")
    for event in interventions:
        assert event.at_ms >= QUIET_START_MS or event.data["type"] == "time_warning"
    times = [event.at_ms for event in interventions]
    assert all(later - earlier >= MIN_GAP_MS for earlier, later in pairwise(times))
    assert [event.data["id"] for event in interventions] == [
        f"int_{number}" for number in range(1, len(interventions) + 1)
    ]
    assert [event.data["type"] for event in interventions].count("time_warning") <= 1


@settings(max_examples=100, deadline=None)
@given(conversations)
def test_nothing_is_said_while_paused(conversation):
    session = play(conversation)
    for tick in session.ticks:
        if tick.paused:
            assert {event.type for event in tick.events} <= {"time_remaining"}


@settings(max_examples=50, deadline=None)
@given(conversations)
def test_the_same_input_gives_the_same_output(conversation):
    assert play(conversation).events == play(conversation).events
