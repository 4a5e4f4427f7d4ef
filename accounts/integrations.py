"""Which outside services this server has keys for: shown to users, never the keys."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Integration:
    name: str
    setting: str
    purpose: str
    without: str

    @property
    def configured(self) -> bool:
        return bool(getattr(settings, self.setting, ""))


INTEGRATIONS = (
    Integration(
        "MeetingBaas",
        "MEETING_BAAS_API_KEY",
        "Sends a Diadi bot into Zoom, Google Meet and Microsoft Teams calls.",
        "Sessions run in Diadi's own browser room.",
    ),
    Integration(
        "Deepgram",
        "DEEPGRAM_API_KEY",
        "Transcribes the conversation so the facilitator can follow the topic.",
        "Talk balance is measured from voice activity alone; no transcript is made.",
    ),
    Integration(
        "OpenAI",
        "OPENAI_API_KEY",
        "Writes the recap and notices tension or drift from the goal.",
        "An offline summarizer and classifier are used instead.",
    ),
    Integration(
        "Cartesia",
        "CARTESIA_API_KEY",
        "Gives the facilitator a voice in the call.",
        "Prompts are shown on screen only.",
    ),
)
