"""Talk measurement: intervals, cumulative and window shares, the balance bar's numbers."""

import pytest

from facilitation.engine.talk import TalkTracker, balance_status, talk_shares


@pytest.mark.parametrize(
    ("first_ms", "second_ms", "shares"),
    [
        (0, 0, (50, 50)),
        (10, 0, (100, 0)),
        (0, 7, (0, 100)),
        (2, 1, (67, 33)),
        (1, 2, (33, 67)),
        (1, 1, (50, 50)),
        (101, 99, (51, 49)),  # 50.5 / 49.5: the larger talker keeps the larger share
        (99, 101, (49, 51)),
        (1, 199, (0, 100)),  # 0.5 / 99.5: a tie again, to the larger talker
        (1, 1_000_000, (0, 100)),
    ],
)
def test_shares_are_whole_percentages_summing_to_100(first_ms, second_ms, shares):
    assert talk_shares(first_ms, second_ms) == shares


@pytest.mark.parametrize(
    ("shares", "status"),
    [
        ((50, 50), "balanced"),
        ((60, 40), "balanced"),
        ((39, 61), "mild_imbalance"),
        ((70, 30), "mild_imbalance"),
        ((29, 71), "severe_imbalance"),
        ((100, 0), "severe_imbalance"),
    ],
)
def test_the_status_follows_the_larger_share(shares, status):
    assert balance_status(shares, balanced_max=60, mild_max=70) == status


def test_the_window_clips_speech_to_the_last_minutes():
    talk = TalkTracker(("a", "b"))
    talk.start("a", 0)
    talk.stop("a", 100_000)
    talk.start("b", 100_000)
    talk.stop("b", 150_000)
    talk.start("a", 200_000)
    # The window is 130-250 s: a's first 100 s fall out of it, b's end is clipped.
    assert talk.window_ms(250_000, 120_000) == [50_000, 20_000]
    assert talk.cumulative_ms(250_000) == [150_000, 50_000]


def test_a_new_utterance_never_starts_inside_the_previous_one():
    talk = TalkTracker(("a", "b"))
    talk.start("a", 0)
    talk.stop("a", 10_000)
    assert talk.start("a", 5_000) == 10_000
    assert talk.stop("a", 8_000) == 10_000
    assert talk.cumulative_ms(20_000) == [10_000, 0]


def test_the_last_speech_end_is_the_latest_of_both():
    talk = TalkTracker(("a", "b"))
    assert talk.last_speech_end() is None
    talk.start("a", 0)
    talk.start("b", 5_000)
    talk.stop("b", 8_000)
    talk.stop("a", 10_000)
    assert talk.last_speech_end() == 10_000


def test_starting_while_the_other_speaks_is_an_overlap_not_always_an_interruption():
    talk = TalkTracker(("a", "b"), interruption_ms=2_000)
    talk.start("a", 0)
    talk.start("b", 5_000)  # "mm-hm" over Maya...
    talk.stop("b", 5_600)  # ...who carries on
    talk.stop("a", 9_000)
    assert talk.overlaps == {"a": 0, "b": 1}
    assert talk.interruptions == {"a": 0, "b": 0}


def test_an_overlap_that_stops_the_speaker_is_an_interruption():
    talk = TalkTracker(("a", "b"), interruption_ms=2_000)
    talk.start("a", 0)
    talk.start("b", 5_000)
    talk.stop("a", 6_500)  # Maya gives way within 2 s
    talk.stop("b", 9_000)
    talk.start("a", 10_000)
    talk.start("b", 12_000)
    talk.stop("a", 20_000)  # this time she finishes long after: no interruption
    assert talk.overlaps == {"a": 0, "b": 2}
    assert talk.interruptions == {"a": 0, "b": 1}
