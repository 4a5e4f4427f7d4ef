"""The listening pipeline on the committed speech fixtures (real Silero VAD, real Pipecat).

The fixtures' truth: Maya talks 18 s (75 %), David 6 s (25 %); David starts at 18.5 s while
Maya talks until 20.0 s; nobody speaks from 20.5 s to 27.5 s. The detector is allowed a
little slack at each turn's edges (it hears a word's first sound late, its tail early)."""

import asyncio

import pytest
from pipecat.audio.vad.silero import SileroVADAnalyzer

from facilitation.audio.listener import SessionListener
from facilitation.audio.vad import InlineSileroVADAnalyzer
from facilitation.engine import DEFAULT_THRESHOLDS, DEFAULT_TOGGLES, ParticipantInfo
from facilitation.engine.conductor import Conductor
from facilitation.engine.inputs import SpeechStopped
from facilitation.tests.audio_support import (
    DAVID,
    LENGTH_MS,
    MAYA,
    TALK_MS,
    TRACKS,
    TURNS,
    play,
    talk_ms,
    turns,
)

# How far a detected turn edge may be from the truth.
EDGE_MS = 300


async def _conversation() -> list:
    heard = []

    async def on_talk(talk):
        heard.append(talk)

    listener = SessionListener([MAYA, DAVID], on_talk)
    await listener.start()
    # Both at once, as they arrive: each person's detector keeps its own state.
    for at in range(0, LENGTH_MS, 100):
        for participant_id in (MAYA, DAVID):
            await play(listener, participant_id, at, at + 100)
    await listener.stop()
    return heard


@pytest.fixture(scope="module")
def conversation():
    """The whole fixture conversation, heard once for every test of this module."""
    return asyncio.run(_conversation())


@pytest.fixture
async def listener():
    heard = []

    async def on_talk(talk):
        heard.append(talk)

    listener = SessionListener([MAYA, DAVID], on_talk)
    await listener.start()
    listener.heard = heard
    yield listener
    await listener.stop()


def test_talk_shares_are_within_three_points_of_the_truth(conversation):
    found = turns(conversation)
    total = talk_ms(found[MAYA]) + talk_ms(found[DAVID])
    assert abs(100 * talk_ms(found[MAYA]) / total - 75) <= 3
    assert abs(100 * talk_ms(found[DAVID]) / total - 25) <= 3
    # Not only the shares: each person's talk time itself is near the truth.
    for person in (MAYA, DAVID):
        assert abs(talk_ms(found[person]) - TALK_MS[person]) <= 2 * EDGE_MS * len(TURNS[person])


def test_each_turn_is_found_where_it_was_spoken(conversation):
    found = turns(conversation)
    for person in (MAYA, DAVID):
        assert len(found[person]) == len(TURNS[person]), found[person]
        for (start, end), (true_start, true_end) in zip(found[person], TURNS[person], strict=True):
            assert abs(start - true_start) <= EDGE_MS, (person, start, true_start)
            assert abs(end - true_end) <= EDGE_MS, (person, end, true_end)


def test_the_overlap_is_found_where_it_is(conversation):
    found = turns(conversation)
    maya_second, david_second = found[MAYA][1], found[DAVID][1]
    overlap = (max(maya_second[0], david_second[0]), min(maya_second[1], david_second[1]))
    assert abs(overlap[0] - 18_500) <= EDGE_MS
    assert abs(overlap[1] - 20_000) <= EDGE_MS


def test_the_long_silence_is_found_where_it_is(conversation):
    spoken = sorted(turn for person in (MAYA, DAVID) for turn in turns(conversation)[person])
    # The stretches nobody spoke in, between the end of all talk so far and the next start.
    silences, talked_until = [], 0
    for start, end in spoken:
        if start > talked_until:
            silences.append((talked_until, start))
        talked_until = max(talked_until, end)
    longest = max(silences, key=lambda gap: gap[1] - gap[0])
    assert longest == (pytest.approx(20_500, abs=EDGE_MS), pytest.approx(27_500, abs=EDGE_MS))


def test_the_engine_measures_the_conversation_from_the_talk_inputs(conversation):
    conductor = Conductor.for_session(
        participants=(ParticipantInfo(MAYA, "Maya"), ParticipantInfo(DAVID, "David")),
        duration_ms=10 * 60_000,
        goal="",
        templates=None,
        thresholds=DEFAULT_THRESHOLDS,
        toggles=DEFAULT_TOGGLES,
    )
    conductor.add(conversation)
    conductor.play_until(LENGTH_MS)
    balance = conductor.engine.balance()
    assert abs(balance["participantA"]["percentage"] - 75) <= 3
    assert abs(balance["participantB"]["percentage"] - 25) <= 3
    # David started while Maya talked, and she stopped within 2 s: he interrupted once.
    assert balance["overlaps"] == {MAYA: 0, DAVID: 1}
    assert balance["interruptions"] == {MAYA: 0, DAVID: 1}


async def test_muting_mid_turn_ends_the_turn_where_the_audio_ended(listener):
    await play(listener, MAYA, 0, 4_000)
    await listener.set_muted(MAYA, True)
    await play(listener, MAYA, 4_000, 8_500)  # a browser that sends anyway is not heard
    await listener.drain()
    assert turns(listener.heard)[MAYA] == [(pytest.approx(500, abs=EDGE_MS), 4_000)]
    await listener.set_muted(MAYA, False)
    await play(listener, MAYA, 14_000, 21_000)
    await listener.drain()
    second = turns(listener.heard)[MAYA][1]
    assert second == (pytest.approx(14_000, abs=EDGE_MS), pytest.approx(20_000, abs=EDGE_MS))


async def test_a_reconnect_mid_turn_counts_nothing_twice(listener):
    await play(listener, MAYA, 0, 4_000)
    await listener.set_connected(MAYA, False)
    await listener.set_connected(MAYA, True)
    # The new socket starts by sending again the last second the old one already sent.
    await play(listener, MAYA, 3_000, 10_000)
    await listener.drain()
    found = turns(listener.heard)[MAYA]
    assert found[0] == (pytest.approx(500, abs=EDGE_MS), 4_000)
    assert len(found) == 2 and found[1][0] >= 4_000
    assert found[1][1] == pytest.approx(8_500, abs=EDGE_MS)
    # At most the true 8 s of her turn, never more.
    assert 8_000 - 2 * EDGE_MS <= talk_ms(found) <= 8_000


async def test_a_stream_that_stops_without_a_word_is_closed_where_it_stopped(listener):
    await play(listener, MAYA, 0, 4_000)
    await listener.expire(5_000)  # not long enough to give up on her
    await listener.drain()
    assert [type(talk) for talk in listener.heard] == [type(listener.heard[0])]
    await listener.expire(5_600)
    await listener.drain()
    assert listener.heard[-1] == SpeechStopped(4_000, MAYA)


async def test_lost_audio_ends_the_turn_at_the_last_audio_heard(listener):
    await play(listener, MAYA, 0, 4_000)
    await play(listener, MAYA, 7_000, 10_000)  # three seconds of her turn never arrived
    await listener.drain()
    found = turns(listener.heard)[MAYA]
    assert found[0] == (pytest.approx(500, abs=EDGE_MS), 4_000)
    assert found[1] == (pytest.approx(7_000, abs=EDGE_MS), pytest.approx(8_500, abs=EDGE_MS))


async def test_late_audio_delivered_in_a_burst_keeps_its_place(listener):
    # A stalled connection: the audio of 1.0-2.5 s arrives at 3.0 s, all at once.
    for at in range(0, 10_000, 100):
        arrival = 3_000 if 1_000 <= at < 2_500 else at + 100
        await listener.push(MAYA, TRACKS[MAYA][at * 32 : (at + 100) * 32], arrival)
    await listener.drain()
    assert turns(listener.heard)[MAYA] == [
        (pytest.approx(500, abs=EDGE_MS), pytest.approx(8_500, abs=EDGE_MS))
    ]


def test_each_stream_has_its_own_model_state_on_one_shared_model():
    first, second = InlineSileroVADAnalyzer(), InlineSileroVADAnalyzer()
    assert first._model.session is second._model.session
    assert first._model._state is not second._model._state
    # Built as Pipecat builds its own analyzer, attribute for attribute (a Pipecat upgrade
    # that adds one to SileroVADAnalyzer.__init__ shows here).
    assert set(vars(first)) == set(vars(SileroVADAnalyzer()))
