"""One person's microphone stream placed on the session's clock, cut into the windows the
voice activity detector scores. Pure Python: no Pipecat, no Django, no I/O."""

from dataclasses import dataclass

from .pcm import BYTES_PER_MS, duration_ms

# Silero scores 512 samples (32 ms at 16 kHz) at a time; fed exactly that, each verdict
# belongs to a known stretch of audio.
WINDOW_BYTES = 1024
WINDOW_MS = WINDOW_BYTES / BYTES_PER_MS
SILENT_WINDOW = bytes(WINDOW_BYTES)
# Arrival times jitter and a stalled connection delivers late audio in a burst, so while a
# stream flows its own length is its clock. Only when that clock and the arrival times part
# by more than this was audio lost (or sent too fast), and the stream starts again from the
# arrival time.
MAX_DRIFT_MS = 2_000
# No audio for this long (by arrival) while the stream is open: the sender is gone without
# saying so, and what it was saying ends where its audio ended.
IDLE_MS = 1_500


@dataclass(frozen=True)
class Window:
    """`end_ms` is where the window ends on the session's clock; `heard_ms` is where the
    real audio heard so far ends (earlier than `end_ms` in the silence that closes a
    stream), so nothing is ever said to last past what was heard."""

    pcm: bytes
    end_ms: float
    heard_ms: float


class ParticipantStream:
    def __init__(self) -> None:
        self._pending = bytearray()
        self._end_ms: float | None = None
        self._arrived_ms = 0.0
        self.muted = False

    @property
    def open(self) -> bool:
        return self._end_ms is not None

    def lost_audio_before(self, pcm: bytes, at_ms: float) -> bool:
        """Audio arriving at `at_ms` (its last sample) starts long after the stream's end."""
        return self._end_ms is not None and at_ms - duration_ms(pcm) - self._end_ms > MAX_DRIFT_MS

    def idle(self, now_ms: float) -> bool:
        return self._end_ms is not None and now_ms - self._arrived_ms > IDLE_MS

    def add(self, pcm: bytes, at_ms: float) -> list[Window]:
        """Audio whose last sample arrived at `at_ms`; returns the windows it completes."""
        length = duration_ms(pcm)
        if self._end_ms is None or self._end_ms - (at_ms - length) > MAX_DRIFT_MS:
            self._end_ms = at_ms - length - len(self._pending) / BYTES_PER_MS
        self._end_ms += length
        self._arrived_ms = at_ms
        self._pending += pcm
        windows = []
        cut = 0
        while len(self._pending) - cut >= WINDOW_BYTES:
            cut += WINDOW_BYTES
            end = self._end_ms - (len(self._pending) - cut) / BYTES_PER_MS
            windows.append(Window(bytes(self._pending[cut - WINDOW_BYTES : cut]), end, end))
        del self._pending[:cut]
        return windows

    def close(self, silent_windows: int) -> list[Window]:
        """Ends the stream: the rest of its audio, then `silent_windows` of silence so the
        detector ends an utterance under way where the audio ended."""
        if self._end_ms is None:
            return []
        heard = self._end_ms
        windows = []
        end = heard
        if self._pending:
            end += (WINDOW_BYTES - len(self._pending)) / BYTES_PER_MS
            padded = bytes(self._pending) + bytes(WINDOW_BYTES - len(self._pending))
            windows.append(Window(padded, end, heard))
        for _ in range(silent_windows):
            end += WINDOW_MS
            windows.append(Window(SILENT_WINDOW, end, heard))
        self._pending.clear()
        self._end_ms = None
        return windows
