"""The recorded conversation a fake MeetingBaas bot plays into a call: one WAV per person
(16 kHz mono 16-bit, facilitation/tests/fixtures/meetings/), mixed as the call hears it, and
who speaks when, as the call's speaker state would say."""

from __future__ import annotations

import array
import wave
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "meetings"
SAMPLE_RATE = 16_000
CHUNK_MS = 100
CHUNK_BYTES = SAMPLE_RATE * CHUNK_MS // 1000 * 2
# A chunk this loud (RMS) is speech; a pause this short does not end a turn.
SPEECH_RMS = 400
HANGOVER_CHUNKS = 4


def read_wav(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wav:
        if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (SAMPLE_RATE, 1, 2):
            raise ValueError(f"{path} must be 16 kHz mono 16-bit PCM")
        return wav.readframes(wav.getnframes())


def chunks(pcm: bytes) -> list[bytes]:
    return [
        pcm[i : i + CHUNK_BYTES].ljust(CHUNK_BYTES, b"\0") for i in range(0, len(pcm), CHUNK_BYTES)
    ]


def _rms(chunk: bytes) -> float:
    samples = array.array("h", chunk)
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def speaking_track(pcm: bytes) -> list[bool]:
    """Per 100 ms chunk: is this voice speaking (with a short hangover over word gaps)."""
    loud = [_rms(chunk) > SPEECH_RMS for chunk in chunks(pcm)]
    track, quiet_for = [], HANGOVER_CHUNKS
    for is_loud in loud:
        quiet_for = 0 if is_loud else quiet_for + 1
        track.append(quiet_for < HANGOVER_CHUNKS)
    return track


def mix(tracks: list[bytes]) -> bytes:
    length = max(len(t) for t in tracks) // 2
    total = array.array("h", bytes(length * 2))
    for track in tracks:
        samples = array.array("h", track)
        for i, s in enumerate(samples):
            total[i] = max(-32768, min(32767, total[i] + s))
    return total.tobytes()


@dataclass
class Voice:
    """One person in the call: their meeting name and what they say."""

    name: str
    pcm: bytes


def default_voices(names: tuple[str, str] = ("Maya", "David")) -> list[Voice]:
    return [
        Voice(names[0], read_wav(FIXTURES / "maya.wav")),
        Voice(names[1], read_wav(FIXTURES / "david.wav")),
    ]
