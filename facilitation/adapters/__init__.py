"""Outside services, each behind one small interface with a real implementation, timeouts and
a local fake (a real local server speaking the provider's protocol, reached through the
service's base-URL setting).

What Diadi claims in its pages comes from here: a capability is on only when this server has
an adapter for the service AND its key is set, never because a key alone is set.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Service:
    name: str
    key_setting: str
    purpose: str
    without: str
    # The module of this package that talks to the service; empty until Diadi has one.
    adapter: str = ""

    @property
    def configured(self) -> bool:
        return bool(getattr(settings, self.key_setting, ""))

    @property
    def built(self) -> bool:
        return bool(self.adapter)

    @property
    def available(self) -> bool:
        return self.built and self.configured


MEETINGS = Service(
    "MeetingBaas",
    "MEETING_BAAS_API_KEY",
    "Sends a Diadi bot into Zoom, Google Meet and Microsoft Teams calls.",
    "Sessions run in Diadi's own browser room.",
    adapter="meetingbaas",
)
TRANSCRIPTION = Service(
    "Deepgram",
    "DEEPGRAM_API_KEY",
    "Transcribes the conversation so the facilitator can follow the topic.",
    "Talk balance is measured from voice activity alone; no transcript is made.",
)
LANGUAGE = Service(
    "OpenAI",
    "OPENAI_API_KEY",
    "Writes the recap of each session: summary, agreements, action items, open points.",
    "Recaps are made offline, from talk times, prompts and the transcript's own sentences.",
    adapter="openai_summary",
)
VOICE = Service(
    "Cartesia",
    "CARTESIA_API_KEY",
    "Gives the facilitator a voice in the call.",
    "Prompts are shown on screen only.",
)
SERVICES = (MEETINGS, TRANSCRIPTION, LANGUAGE, VOICE)
