"""How fast one audio socket may send: a real microphone sends its 32 kB of audio a second
in 10 to 50 messages. Two token buckets (facilitation.limits) fill at their rate up to a
burst, so the audio a stalled connection delivers all at once still passes, while a sender
that keeps going faster than twice real time (or with more than 100 messages a second) runs
dry."""

from facilitation.limits import Rate, TokenBucket

from .pcm import BYTES_PER_MS

MESSAGES_PER_S = 100
BYTES_PER_S = 2 * BYTES_PER_MS * 1000
BURST_S = 3.0


class AudioAllowance:
    def __init__(self, now_s: float) -> None:
        burst = int(MESSAGES_PER_S * BURST_S)
        self._messages = TokenBucket(Rate(MESSAGES_PER_S, burst=burst), now_s)
        self._bytes = TokenBucket(Rate(BYTES_PER_S, burst=int(BYTES_PER_S * BURST_S)), now_s)

    def spend(self, size: int, now_s: float) -> bool:
        """Takes one message of `size` bytes; False when it is a flood."""
        return self._messages.take(now_s) and self._bytes.take(now_s, size)
