"""The fake MeetingBaas for tests (a real local server, facilitation/meetings/fake.py), and
ways to reach what it was asked to do."""

import json
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

from conftest import _free_port, server_env, start_daphne, start_worker
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


# Prompts as soon as the talk is one-sided, so a 14 s recording is enough to hear one.
THRESHOLDS = {
    "quiet_start_ms": 0,
    "min_window_talk_ms": 1_000,
    "voice_balance_percent": 60,
    "voice_balance_hold_ms": 1_000,
    "visual_balance_hold_ms": 600_000,
    "min_gap_ms": 1_000,
    "same_type_cooldown_ms": 1_000,
    "intervening_ms": 1_000,
}


@pytest.fixture
def meeting_server(django_db_blocker) -> Iterator[tuple[str, FakeMeetingBaas]]:
    """Diadi with meetings on, its MeetingBaas being the fake."""
    fake = FakeMeetingBaas(api_key=API_KEY).start_in_thread()
    port = _free_port()
    with django_db_blocker.unblock():
        env = {
            **server_env(),
            "MEETING_BAAS_API_KEY": API_KEY,
            "MEETING_BAAS_API_URL": fake.url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "FACILITATION_THRESHOLDS": json.dumps(THRESHOLDS),
            "MEETING_BOT_POLL_SECONDS": "1",
        }
    server = start_daphne(env, port)
    worker = start_worker("meetings", env=env) if django_settings.USE_REDIS else None
    try:
        yield f"http://127.0.0.1:{port}", fake
    finally:
        fake.stop_thread()  # its bots hang up first, as MeetingBaas' would
        for process in (worker, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
