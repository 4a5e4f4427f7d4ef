"""What a facilitation run feeds its engine, each at a time on the session's clock (ms).

Every source speaks these: a scripted conversation, the browser room's audio, a meeting
bot's speaker state, the live room's controls. A run keeps the ones it fed (with the time it
fed them) so that a run taken over by another worker can play them again and rebuild the
engine exactly.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .signals import Signals
from .switches import Toggles


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int
    participant_id: str


@dataclass(frozen=True)
class SpeechStopped:
    at_ms: int
    participant_id: str
    # The words, when a transcript exists; the engine only ever sees their Signals.
    text: str = ""


# Who started or stopped speaking: what a listener (a voice activity detector, a meeting
# bot's speaker state, a script) hears.
TalkInput = SpeechStarted | SpeechStopped


@dataclass(frozen=True)
class Observed:
    """What one finished utterance told the classifier; `at_ms` is when it ended."""

    at_ms: int
    participant_id: str
    signals: Signals


@dataclass(frozen=True)
class MicrophoneChanged:
    """A person's microphone was muted or dropped, or is heard again ("listening")."""

    at_ms: int
    participant_id: str
    status: str


@dataclass(frozen=True)
class Paused:
    """The kill switch."""

    at_ms: int


@dataclass(frozen=True)
class Resumed:
    at_ms: int


@dataclass(frozen=True)
class TogglesChanged:
    at_ms: int
    toggles: Toggles


@dataclass(frozen=True)
class SpeakersSwapped:
    """One of the two people said the speaker labels are the wrong way round."""

    at_ms: int


Input = (
    SpeechStarted | SpeechStopped | Observed | Paused | Resumed | TogglesChanged | SpeakersSwapped
)

# (the words of a finished utterance, the session's goal) -> what they tell the engine.
Classifier = Callable[[str, str], Signals]


def with_signals(items: Iterable[Input], classifier: Classifier, goal: str) -> list[Input]:
    """Each finished utterance that has words, followed by what the classifier read in them."""
    heard: list[Input] = []
    for item in items:
        heard.append(item)
        if isinstance(item, SpeechStopped) and item.text:
            signals = classifier(item.text, goal)
            heard.append(Observed(item.at_ms, item.participant_id, signals))
    return heard
