"""The fake MeetingBaas for tests (a real local server, facilitation/meetings/fake.py), and
ways to reach what it was asked to do."""

from urllib.parse import urlsplit

import pytest

from facilitation.meetings.fake import FakeMeetingBaas

API_KEY = "test-meetingbaas-key"
ZOOM_URL = "https://zoom.us/j/85512345678"


@pytest.fixture
def fake_meetingbaas(settings):
    """MeetingBaas on a local port, with Diadi's settings pointing at it. Its bots wait in
    the waiting room until a test lets them in (they would stream to a server that is not
    there: tests that want the audio use a live server, test_meeting_flow.py)."""
    fake = FakeMeetingBaas(api_key=API_KEY, waiting_room_s=3600).start_in_thread()
    settings.MEETING_BAAS_API_KEY = API_KEY
    settings.MEETING_BAAS_API_URL = fake.url
    settings.MEETING_BAAS_TIMEOUT_SECONDS = 2.0
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"
    yield fake
    fake.stop_thread()


def stream_secret(fake: FakeMeetingBaas, bot_id: str) -> str:
    """The secret in the streaming URLs Diadi gave a bot."""
    url = fake.bots[bot_id].request["streaming_config"]["output_url"]
    return urlsplit(url).path.split("/")[3]


def callback_of(fake: FakeMeetingBaas, bot_id: str) -> tuple[str, str]:
    """(callback path, secret) Diadi gave a bot."""
    config = fake.bots[bot_id].request["callback_config"]
    return urlsplit(config["url"]).path, config["secret"]
