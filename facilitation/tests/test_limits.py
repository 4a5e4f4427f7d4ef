"""The per-socket rate limiter, on a fake clock: what each sender may send, and when it is told
or disconnected."""

from facilitation.limits import MessageLimiter, Rate, Verdict


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(clock, **kwargs):
    return MessageLimiter(
        {"update_settings": Rate(2, burst=3), "audio": Rate(60, burst=120)}, clock=clock, **kwargs
    )


def test_a_burst_passes_then_the_sender_is_told_once_then_dropped_quietly():
    limiter = _limiter(FakeClock())
    verdicts = [limiter.check("update_settings") for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]


def test_the_bucket_refills_at_its_rate_and_the_next_refusal_is_told_again():
    clock = FakeClock()
    limiter = _limiter(clock)
    for _ in range(4):
        limiter.check("update_settings")
    clock.now += 0.5  # 2 a second: one token back
    assert limiter.check("update_settings") == Verdict.ALLOW
    assert limiter.check("update_settings") == Verdict.WARN


def test_each_kind_has_its_own_bucket():
    limiter = _limiter(FakeClock())
    for _ in range(4):
        limiter.check("update_settings")
    assert limiter.check("audio") == Verdict.ALLOW


def test_kinds_without_a_rate_share_the_default_bucket():
    limiter = _limiter(FakeClock(), default=Rate(1, burst=2))
    assert [limiter.check(kind) for kind in ("a", "b", "c")] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
    ]


def test_a_sender_that_keeps_flooding_is_closed():
    clock = FakeClock()
    limiter = _limiter(clock, patience=Rate(1, burst=10))
    verdicts = [limiter.check("update_settings") for _ in range(3 + 10 + 1)]
    # 3 allowed, 10 refusals of patience, then the close.
    assert verdicts[:3] == [Verdict.ALLOW] * 3
    assert verdicts[3:13] == [Verdict.WARN] + [Verdict.DROP] * 9
    assert verdicts[13] == Verdict.CLOSE


def test_a_sender_that_slows_down_when_told_is_never_closed():
    clock = FakeClock()
    limiter = _limiter(clock, patience=Rate(1, burst=10))
    told = [limiter.check("update_settings") for _ in range(8)]  # a burst past the limit...
    assert Verdict.WARN in told
    for _ in range(450):  # ...then five minutes at 1.5 a second, within its rate of 2
        clock.now += 1 / 1.5
        assert limiter.check("update_settings") == Verdict.ALLOW


def test_fifty_audio_frames_a_second_all_pass():
    clock = FakeClock()
    limiter = _limiter(clock)
    for _ in range(50 * 60):  # a minute of 20 ms frames
        clock.now += 0.02
        assert limiter.check("audio") == Verdict.ALLOW
