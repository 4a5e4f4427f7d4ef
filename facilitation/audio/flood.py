"""How fast one audio socket may send: a real microphone sends its 32 kB of audio a second
in 10 to 50 messages. Two allowances fill at their rate up to a burst, so the audio a stalled
connection delivers all at once still passes, while a sender that keeps going faster than
twice real time (or with more than 100 messages a second) runs dry."""

from dataclasses import dataclass

from .pcm import BYTES_PER_MS

MESSAGES_PER_S = 100
BYTES_PER_S = 2 * BYTES_PER_MS * 1000
BURST_S = 3.0
MAX_MESSAGES = MESSAGES_PER_S * BURST_S
MAX_BYTES = BYTES_PER_S * BURST_S


@dataclass
class AudioAllowance:
    at_s: float
    messages: float = MAX_MESSAGES
    bytes: float = MAX_BYTES


def spend(allowance: AudioAllowance, size: int, now_s: float) -> bool:
    """Takes one message of `size` bytes from the allowance; False when it is a flood."""
    elapsed = max(0.0, now_s - allowance.at_s)
    allowance.at_s = now_s
    allowance.messages = min(MAX_MESSAGES, allowance.messages + elapsed * MESSAGES_PER_S) - 1
    allowance.bytes = min(MAX_BYTES, allowance.bytes + elapsed * BYTES_PER_S) - size
    return allowance.messages >= 0 and allowance.bytes >= 0
