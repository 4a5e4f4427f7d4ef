"""Silero as Diadi runs it: many streams in one process, each window scored on the event loop.

Two things Pipecat's SileroVADAnalyzer does per analyzer cost more than the model itself here
(bench/audio_capacity.py and the README's figures):
- it builds an ONNX session of its own, some 10 MB and 0.1 s (blocking the loop) each, though
  the session holds no state: the model's recurrent state is passed in on every call;
- it hands every window to a thread of its own, a hop that cost as much CPU as the model
  (0.024 s of CPU per second of audio through the thread, 0.012 inline), while the loop only
  waits some 0.4 ms a window.
"""

import copy
from functools import cache

from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams, VADState


@cache
def _shared_model() -> SileroOnnxModel:
    """The process's one ONNX session of the model shipped in Pipecat's wheel."""
    return SileroVADAnalyzer()._model


class InlineSileroVADAnalyzer(SileroVADAnalyzer):
    def __init__(self, *, sample_rate: int | None = None, params: VADParams | None = None) -> None:
        # SileroVADAnalyzer.__init__ less its own ONNX session: this stream gets the shared
        # session and a recurrent state of its own.
        VADAnalyzer.__init__(self, sample_rate=sample_rate, params=params)
        self._model = copy.copy(_shared_model())
        self._model.reset_states()
        self._windows_since_reset = 0
        self._low_confidence_windows = 0

    async def analyze_audio(self, buffer: bytes) -> VADState:
        return self._run_analyzer(buffer)
