"""The committed speech fixtures (fixtures/audio/, made by make_fixtures.sh) and a way to
play them into a SessionListener as a browser would: messages of audio stamped with the
session time their last sample arrived. Times are in milliseconds."""

import wave
from pathlib import Path

from facilitation.audio.listener import SessionListener
from facilitation.audio.pcm import BYTES_PER_MS, SAMPLE_RATE
from facilitation.engine.inputs import SpeechStarted, SpeechStopped, TalkInput

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audio"
MAYA = "p-maya"
DAVID = "p-david"
# The truth, as make_fixtures.sh placed the speech (its header says the same).
TURNS = {
    MAYA: [(500, 8_500), (14_000, 20_000), (27_500, 31_500)],
    DAVID: [(9_300, 13_300), (18_500, 20_500)],
}
TALK_MS = {MAYA: 18_000, DAVID: 6_000}
LENGTH_MS = 32_000


def track(name: str) -> bytes:
    with wave.open(str(FIXTURES / f"{name}.wav")) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (SAMPLE_RATE, 2, 1)
        return wav.readframes(wav.getnframes())


TRACKS = {MAYA: track("maya"), DAVID: track("david")}


async def play(
    listener: SessionListener,
    participant_id: str,
    start_ms: int,
    end_ms: int,
    *,
    message_ms: int = 100,
    arrives_ms: int | None = None,
) -> None:
    """Sends the person's audio from start_ms to end_ms; it arrives as if spoken from
    `arrives_ms` (default: when it was spoken)."""
    pcm = TRACKS[participant_id]
    shift = (start_ms if arrives_ms is None else arrives_ms) - start_ms
    for at in range(start_ms, end_ms, message_ms):
        upto = min(at + message_ms, end_ms)
        await listener.push(
            participant_id, pcm[at * BYTES_PER_MS : upto * BYTES_PER_MS], upto + shift
        )


def turns(
    inputs: list[TalkInput], people: tuple[str, ...] = (MAYA, DAVID)
) -> dict[str, list[tuple[int, int]]]:
    """Each person's talk as (start, end) pairs, checking starts and stops alternate."""
    found: dict[str, list[tuple[int, int]]] = {person: [] for person in people}
    open_at: dict[str, int] = {}
    for talk in inputs:
        if isinstance(talk, SpeechStarted):
            assert talk.participant_id not in open_at, f"two starts in a row: {talk}"
            open_at[talk.participant_id] = talk.at_ms
        else:
            assert isinstance(talk, SpeechStopped)
            start = open_at.pop(talk.participant_id)
            found[talk.participant_id].append((start, talk.at_ms))
    assert not open_at, f"talk left open: {open_at}"
    return found


def talk_ms(found: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in found)
