"""Audio capacity: how many participant streams one process hears in real time.

One process, one event loop, as a worker hosting many facilitation runs: N/2 sessions, each
with its listening pipeline (facilitation.audio: a Silero VAD per person) and its
facilitation engine fed with the talk inputs (through a Conductor, as in a run). Every
stream plays one person of the committed fixture conversation (facilitation/tests/fixtures/
audio/, looped, each session from its own point in it) in 40 ms messages paced by the wall
clock, as browsers send them.

    python bench/audio_capacity.py                       # 10, 20, 40, 60, 80 streams
    python bench/audio_capacity.py --streams 40 --seconds 60

Printed per level: CPU seconds per second of audio (the process's user + system time, the
model's threads included), the delay from a speech onset in the audio (the fixture's truth)
to the SpeechStarted talk input and to the engine's participant_status "speaking" event,
how late the feeding loop ran, and whether the process kept up; then the CPU cost of the
same work fed as fast as possible. Needs no services.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")

from facilitation.audio.listener import SessionListener  # noqa: E402
from facilitation.audio.pcm import BYTES_PER_MS  # noqa: E402
from facilitation.engine import (  # noqa: E402
    DEFAULT_THRESHOLDS,
    DEFAULT_TOGGLES,
    ParticipantInfo,
)
from facilitation.engine.conductor import Conductor  # noqa: E402
from facilitation.engine.events import PARTICIPANT_STATUS  # noqa: E402
from facilitation.engine.inputs import SpeechStarted, TalkInput  # noqa: E402

FIXTURES = ROOT / "facilitation" / "tests" / "fixtures" / "audio"
# Where each person's turns start in the fixture (make_fixtures.sh).
ONSETS_MS = {"maya": (500, 14_000, 27_500), "david": (9_300, 18_500)}
TRACK_MS = 32_000
MESSAGE_MS = 40
TICK_MS = 500
# A detected start belongs to the true onset at most this long before it.
MATCH_MS = 1_500
KEEPS_UP_P95_MS = 600


def _track(name: str) -> bytes:
    with wave.open(str(FIXTURES / f"{name}.wav")) as wav:
        return wav.readframes(wav.getnframes())


TRACKS = {name: _track(name) for name in ONSETS_MS}


class Clock:
    """The session's clock: wall milliseconds since the level started."""

    def __init__(self, started: float) -> None:
        self.started = started

    def now_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


@dataclass
class Level:
    streams: int
    seconds: float
    to_input_ms: list[float] = field(default_factory=list)
    to_event_ms: list[float] = field(default_factory=list)
    feed_late_ms: list[float] = field(default_factory=list)
    onsets: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    drain_s: float = 0.0


class BenchSession:
    def __init__(self, number: int, clock: Clock, level: Level) -> None:
        self.ids = (f"s{number}-maya", f"s{number}-david")
        self.offset_ms = (number * 7_919) % TRACK_MS  # spread the sessions over the track
        self.clock = clock
        self.level = level
        self.conductor = Conductor.for_session(
            participants=(ParticipantInfo(self.ids[0], "Maya"), ParticipantInfo(self.ids[1], "D")),
            duration_ms=60 * 60_000,
            goal="",
            templates=None,
            thresholds=DEFAULT_THRESHOLDS,
            toggles=DEFAULT_TOGGLES,
        )
        self.listener = SessionListener(self.ids, self.on_talk)
        self.started_wall: dict[str, float] = {}

    def true_onset_ms(self, person: str, detected_ms: int) -> int | None:
        """The fixture onset (on the session clock) a start detected at `detected_ms` is."""
        loop_start = detected_ms + self.offset_ms - MATCH_MS
        for onset in ONSETS_MS[person]:
            for lap in range(loop_start // TRACK_MS - 1, loop_start // TRACK_MS + 2):
                at = lap * TRACK_MS + onset - self.offset_ms
                if 0 <= detected_ms - at <= MATCH_MS:
                    return at
        return None

    async def on_talk(self, talk: TalkInput) -> None:
        now_ms = self.clock.now_ms()
        person = "maya" if talk.participant_id == self.ids[0] else "david"
        onset = self.true_onset_ms(person, talk.at_ms) if isinstance(talk, SpeechStarted) else None
        if onset is not None and onset > 0:
            self.level.to_input_ms.append(now_ms - onset)
        # As a run does: fed at once, and who speaks is told without waiting for a tick.
        self.conductor.add([talk])
        for event in self.conductor.play_until(now_ms):
            if (
                onset is not None
                and onset > 0
                and event.type == PARTICIPANT_STATUS
                and event.data["status"] == "speaking"
            ):
                self.level.to_event_ms.append(self.clock.now_ms() - onset)

    def audio(self, person: str, start_ms: int) -> bytes:
        at = (start_ms + self.offset_ms) % TRACK_MS
        return TRACKS[person][at * BYTES_PER_MS : (at + MESSAGE_MS) * BYTES_PER_MS]


async def run_level(streams: int, seconds: float, *, paced: bool = True) -> Level:
    level = Level(streams, seconds)
    clock = Clock(time.monotonic())
    sessions = [BenchSession(n, clock, level) for n in range(streams // 2)]
    for session in sessions:
        await session.listener.start()
    clock.started = time.monotonic()
    cpu_before = time.process_time()
    steps = int(seconds * 1000 // MESSAGE_MS)
    next_tick = TICK_MS
    for step in range(steps):
        if paced:
            due = clock.started + (step + 1) * MESSAGE_MS / 1000
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            level.feed_late_ms.append((time.monotonic() - due) * 1000)
        at_ms = (step + 1) * MESSAGE_MS
        for session in sessions:
            for person, participant_id in zip(ONSETS_MS, session.ids, strict=True):
                await session.listener.push(participant_id, session.audio(person, at_ms), at_ms)
        if at_ms >= next_tick:
            next_tick += TICK_MS
            for session in sessions:
                session.conductor.play_until(min(at_ms, clock.now_ms()))
                await session.listener.expire(at_ms)
    drain_from = time.monotonic()
    await asyncio.gather(*(session.listener.drain() for session in sessions))
    level.drain_s = time.monotonic() - drain_from
    level.cpu_s = time.process_time() - cpu_before
    level.wall_s = time.monotonic() - clock.started
    for session in sessions:
        await session.listener.stop()
    return level


def _p(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[10, 20, 40, 60, 80])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{cores} cores (load average {load}); {MESSAGE_MS} ms messages; ", end="")
    print(f"{args.seconds:g} s of audio per stream; delays in ms")
    header = (
        f"{'streams':>8} {'cpu s/audio s':>14} {'streams/core':>13} {'cpu share':>10} "
        f"{'input p50':>10} {'input p95':>10} {'event p95':>10} {'feed late p95':>14} "
        f"{'drain s':>8}  keeps up"
    )
    print(header)
    for streams in args.streams:
        level = asyncio.run(run_level(streams, args.seconds))
        per_audio_s = level.cpu_s / (level.streams * level.seconds)
        keeps_up = (
            _p(level.to_event_ms, 95) <= KEEPS_UP_P95_MS
            and _p(level.feed_late_ms, 95) < MESSAGE_MS
            and level.drain_s < 1.0
        )
        print(
            f"{streams:>8} {per_audio_s:>14.4f} {1 / per_audio_s:>13.0f} "
            f"{level.cpu_s / level.wall_s:>10.2f} "
            f"{_p(level.to_input_ms, 50):>10.0f} {_p(level.to_input_ms, 95):>10.0f} "
            f"{_p(level.to_event_ms, 95):>10.0f} {_p(level.feed_late_ms, 95):>14.1f} "
            f"{level.drain_s:>8.2f}  {'yes' if keeps_up else 'NO'}",
            flush=True,
        )
    # The same work fed as fast as the machine allows: queues fill, and each processor wakes
    # once for many windows instead of once per window.
    unpaced = asyncio.run(run_level(20, args.seconds, paced=False))
    print(f"fed unpaced (20 streams): {unpaced.cpu_s / (20 * args.seconds):.4f} cpu s/audio s")


if __name__ == "__main__":
    main()
