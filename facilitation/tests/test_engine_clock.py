"""Clocks in milliseconds."""

import pytest

from facilitation.engine import ManualClock, MonotonicClock


def test_a_manual_clock_moves_only_when_told():
    clock = ManualClock(1_000)
    assert clock.now_ms() == 1_000
    clock.advance(500)
    clock.set(2_000)
    assert clock.now_ms() == 2_000


def test_a_manual_clock_never_goes_backwards():
    clock = ManualClock(1_000)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(999)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_a_monotonic_clock_continues_from_its_offset():
    clock = MonotonicClock(offset_ms=90_000)
    first = clock.now_ms()
    assert 90_000 <= first <= clock.now_ms()
