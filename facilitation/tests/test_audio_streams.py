"""Placing a microphone stream on the session's clock, and what an audio message may be.
Pure: no pipeline, no model. Times in ms; at 16 kHz 16-bit one ms is 32 bytes."""

import pytest

from facilitation.audio.flood import AudioAllowance
from facilitation.audio.pcm import message_problem
from facilitation.audio.streams import ParticipantStream


def audio(ms: float, value: int = 1) -> bytes:
    return bytes([value, 0]) * int(ms * 16)


def test_audio_is_cut_into_32_ms_windows_ending_where_the_audio_ends():
    stream = ParticipantStream()
    windows = stream.add(audio(100), at_ms=1_100)  # spoken 1,000-1,100
    assert [w.end_ms for w in windows] == [1_032, 1_064, 1_096]
    assert all(len(w.pcm) == 1024 and w.heard_ms == w.end_ms for w in windows)
    # The 4 ms left over wait for the next message.
    assert [w.end_ms for w in stream.add(audio(100), at_ms=1_200)] == [1_128, 1_160, 1_192]


def test_while_audio_flows_its_own_length_is_the_clock():
    stream = ParticipantStream()
    stream.add(audio(64), at_ms=1_064)
    # Jittery arrivals (early, late, in a burst) do not move the audio.
    assert stream.add(audio(64), at_ms=1_100)[-1].end_ms == 1_128
    assert stream.add(audio(64), at_ms=1_900)[-1].end_ms == 1_192
    assert stream.add(audio(64), at_ms=1_900)[-1].end_ms == 1_256


def test_a_stream_far_ahead_of_its_arrivals_starts_again_from_them():
    stream = ParticipantStream()
    stream.add(audio(32), at_ms=10_032)
    # Sent far faster than spoken: the next audio is placed when it arrived.
    assert stream.add(audio(32), at_ms=7_000)[-1].end_ms == 7_000


def test_a_gap_longer_than_two_seconds_is_lost_audio():
    stream = ParticipantStream()
    stream.add(audio(100), at_ms=1_100)
    assert not stream.lost_audio_before(audio(100), at_ms=3_200)
    assert stream.lost_audio_before(audio(100), at_ms=3_201)


def test_a_stream_without_audio_for_a_second_and_a_half_is_idle():
    stream = ParticipantStream()
    assert not stream.idle(10_000)  # nothing was ever opened
    stream.add(audio(100), at_ms=1_100)
    assert not stream.idle(2_600)
    assert stream.idle(2_601)


def test_closing_pads_the_last_window_and_adds_silence_heard_as_nothing():
    stream = ParticipantStream()
    stream.add(audio(40), at_ms=1_040)  # one window (1,032) and 8 ms left over
    windows = stream.close(silent_windows=2)
    assert [(w.end_ms, w.heard_ms) for w in windows] == [
        (1_064, 1_040),
        (1_096, 1_040),
        (1_128, 1_040),
    ]
    assert windows[0].pcm == audio(8) + bytes(1024 - 256)
    assert windows[1].pcm == bytes(1024)
    assert not stream.open
    assert stream.close(silent_windows=2) == []


def test_after_closing_the_next_audio_starts_a_new_stream_where_it_arrives():
    stream = ParticipantStream()
    stream.add(audio(32), at_ms=1_032)
    stream.close(silent_windows=1)
    assert [w.end_ms for w in stream.add(audio(32), at_ms=5_032)] == [5_032]


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        (0, "an audio message is empty"),
        (3201, "an audio message holds at most 100 ms (3200 bytes)"),
        (3202, "an audio message holds at most 100 ms (3200 bytes)"),
        (641, "audio is 16-bit samples: an even number of bytes"),
        (2, None),
        (3200, None),
    ],
)
def test_an_audio_message_is_1_to_3200_bytes_of_whole_samples(size, problem):
    assert message_problem(bytes(size)) == problem


def test_real_time_audio_never_runs_out_of_allowance():
    allowance = AudioAllowance(0.0)
    # An hour of 20 ms messages (640 bytes), 50 a second.
    assert all(allowance.spend(640, n / 50) for n in range(50 * 3600))


def test_a_stalled_connection_may_deliver_three_seconds_at_once():
    allowance = AudioAllowance(0.0)
    assert all(allowance.spend(3200, 10.0) for _ in range(30))


def test_sending_faster_than_twice_real_time_is_a_flood():
    allowance = AudioAllowance(0.0)
    # 3 times real time: 100 ms of audio every 33 ms. The allowance (3 s at twice real time,
    # 192 kB) shrinks by 32 kB a second: it runs out after 6 s.
    results = [allowance.spend(3200, n / 30) for n in range(30 * 20)]
    assert results.index(False) / 30 == pytest.approx(6, abs=0.1)


def test_more_than_a_hundred_messages_a_second_is_a_flood():
    allowance = AudioAllowance(0.0)
    # 200 a second: the allowance of 300 messages shrinks by 100 a second.
    results = [allowance.spend(2, n / 200) for n in range(200 * 10)]
    assert results.index(False) / 200 == pytest.approx(3, abs=0.05)
