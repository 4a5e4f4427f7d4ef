"""Talk over time from utterance timings, the chart drawn from it, and what sentences do."""

import pytest

from summaries import chart, language
from summaries.talk import Utterance, bucket_size, clock, talk_over_time
from summaries.transcript import chunks

A, B = "p_a", "p_b"


def test_shares_per_bucket_count_overlap_for_both():
    talk = talk_over_time(
        [Utterance(A, 0, 50_000), Utterance(B, 40_000, 70_000), Utterance("stranger", 0, 9_000)],
        (A, B),
        duration_ms=120_000,
    )
    assert talk["bucketMs"] == 15_000
    assert talk["speakingMs"] == [50_000, 30_000]
    assert talk["shares"] == [63, 37] and talk["status"] == "mild_imbalance"
    assert talk["buckets"][:6] == [
        [15_000, 0],
        [15_000, 0],
        [15_000, 5_000],  # 30-45 s: A all along, B from 40 s
        [5_000, 15_000],  # 45-60 s: A until 50 s, B all along
        [0, 10_000],
        [0, 0],
    ]
    assert len(talk["buckets"]) == 8


def test_nobody_spoke():
    talk = talk_over_time([], (A, B), duration_ms=60_000)
    assert talk["shares"] == [] and talk["status"] == ""
    assert talk["buckets"] == [[0, 0]] * 4


@pytest.mark.parametrize(
    ("duration_ms", "size"),
    [(60_000, 15_000), (450_000, 15_000), (600_000, 30_000), (3_600_000, 120_000)],
)
def test_at_most_thirty_bars(duration_ms, size):
    assert bucket_size(duration_ms) == size


def test_clock():
    assert (clock(0), clock(61_500), clock(3_723_000)) == ("0:00", "1:01", "1:02:03")


def test_the_chart_and_its_words():
    talk = talk_over_time([Utterance(A, 0, 30_000), Utterance(B, 30_000, 40_000)], (A, B), 60_000)
    drawn = chart.build(talk, ("Maya", "David"), [(20_000, "0:20 Balance")])
    assert [bar.label for bar in drawn.bars] == [
        "0:00 to 0:15: Maya 100 %, David 0 %",
        "0:15 to 0:30: Maya 100 %, David 0 %",
        "0:30 to 0:45: Maya 0 %, David 100 %",
        "0:45 to 1:00: nobody spoke",
    ]
    assert drawn.bars[0].first_height == chart.PLOT_HEIGHT and drawn.bars[3].spoke is False
    assert drawn.description == (
        "Over the whole session Maya spoke 75 % and David 25 %. "
        "The most one-sided stretch was 0:00 to 0:15, when Maya spoke 100 %."
    )
    [mark] = drawn.marks
    assert mark.x == pytest.approx(chart.LEFT + drawn.plot_width / 3, abs=0.01)


@pytest.mark.parametrize(
    ("sentence", "hedged"),
    [
        ("I will call the bank.", False),
        ("I'll call the bank.", False),
        ("I might call the bank.", True),
        ("Maybe I'll call the bank.", True),
        ("I'll try to call the bank.", True),
        ("I think I'll call the bank.", True),
        ("I could call the bank.", True),
        ("We should call the bank.", True),
        ("I\u2019ll probably call the bank.", True),  # a typographic apostrophe
    ],
)
def test_hedges(sentence, hedged):
    assert language.is_hedged(sentence) is hedged


@pytest.mark.parametrize(
    ("sentence", "action"),
    [
        ("I will call the bank.", True),
        ("I might call the bank.", True),
        ("Let's check in monthly.", True),
        ("Could you call the bank?", False),
        ("I'll be honest, it was hard.", False),
        ("You always say we'll look at it next month.", False),
        ("There was nothing I could do about it.", False),
        ("The bank called me.", False),
    ],
)
def test_actions(sentence, action):
    assert language.is_action(sentence) is action


def test_chunks_keep_rows_whole_when_they_fit():
    rows = [f"[0:0{n}] Maya: line {n}" for n in range(6)]
    parts = chunks(rows, 80)
    assert "\n".join(parts) == "\n".join(rows)
    assert all(len(part) <= 80 for part in parts) and len(parts) > 1
