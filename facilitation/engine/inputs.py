"""Talk inputs: who started or stopped speaking when, on the session's clock.

Whatever hears the conversation (a voice activity detector on a browser's microphone, a
meeting bot's speaker states, a script) speaks to the engine in these; `apply()` hands one to
the engine.
"""

from dataclasses import dataclass

from .engine import FacilitationEngine


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int
    participant_id: str


@dataclass(frozen=True)
class SpeechStopped:
    """`text` is what was said, when a transcriber heard it; empty otherwise."""

    at_ms: int
    participant_id: str
    text: str = ""


TalkInput = SpeechStarted | SpeechStopped


def apply(engine: FacilitationEngine, talk: TalkInput) -> None:
    if isinstance(talk, SpeechStarted):
        engine.speech_started(talk.participant_id, talk.at_ms)
    else:
        engine.speech_stopped(talk.participant_id, talk.at_ms)
