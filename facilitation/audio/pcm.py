"""The audio Diadi listens to: 16 kHz signed 16-bit little-endian mono PCM."""

SAMPLE_RATE = 16_000
SAMPLE_BYTES = 2
BYTES_PER_MS = SAMPLE_RATE * SAMPLE_BYTES // 1000
# One binary message of the audio socket carries at most 100 ms.
MAX_MESSAGE_MS = 100
MAX_MESSAGE_BYTES = MAX_MESSAGE_MS * BYTES_PER_MS


def duration_ms(pcm: bytes) -> float:
    return len(pcm) / BYTES_PER_MS


def message_problem(data: bytes) -> str | None:
    """Why a binary message is not audio Diadi accepts, or None when it is."""
    if not data:
        return "an audio message is empty"
    if len(data) > MAX_MESSAGE_BYTES:
        return f"an audio message holds at most {MAX_MESSAGE_MS} ms ({MAX_MESSAGE_BYTES} bytes)"
    if len(data) % SAMPLE_BYTES:
        return "audio is 16-bit samples: an even number of bytes"
    return None
