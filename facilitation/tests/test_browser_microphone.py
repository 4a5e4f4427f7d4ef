"""The browser room's microphone in Chromium, its fake microphone playing Maya's fixture
track: join, the level moves, 16 kHz PCM flows to the audio socket in 40 ms messages, mute
stops it; and the messages a person sees when the microphone cannot be used."""

import json
import re
import struct
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from conftest import CHROMIUM, CHROMIUM_ARGS
from facilitation.tests.audio_support import FIXTURES
from sessions.state import Action, transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_MICROPHONE = f"--use-file-for-fake-audio-capture={FIXTURES / 'maya.wav'}%noloop"
CHUNK_BYTES = 1280  # 40 ms of 16 kHz 16-bit mono


def _chromium(playwright: Playwright, args: list[str]) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


@pytest.fixture
def with_microphone(playwright: Playwright) -> Iterator[Browser]:
    yield from _chromium(playwright, [*CHROMIUM_ARGS, FAKE_MICROPHONE])


@pytest.fixture
def live_session(make_session, invitee_user):
    session, _ = make_session(consented=True, invitee=invitee_user)
    transition(session, Action.START)
    return session


def _room(browser: Browser, base: str, session) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("pw-maya-123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/hub/")
    page.goto(f"{base}/sessions/{session.public_id}/live/")
    return page


class AudioSocket:
    """What the page sends on its audio socket, as the server receives it."""

    def __init__(self, page: Page) -> None:
        self.audio: list[bytes] = []
        self.controls: list[dict] = []
        self.closed_by_server: list[str] = []
        page.on("websocket", self._opened)

    def _opened(self, socket) -> None:
        if not socket.url.endswith("/audio/"):
            return
        socket.on("framesent", self._sent)
        socket.on("close", lambda _: self.closed_by_server.append(socket.url))

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.audio.append(payload)
        else:
            self.controls.append(json.loads(payload))

    def wait_for_audio(self, page: Page, count: int) -> None:
        for _ in range(300):
            if len(self.audio) >= count:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"only {len(self.audio)} audio messages were sent")


def test_joining_streams_16_khz_pcm_and_mute_stops_it(
    with_microphone: Browser, live_server_url: str, live_session, console_errors
):
    page = _room(with_microphone, live_server_url, live_session)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    sent = AudioSocket(page)
    box = page.locator("[data-microphone]")
    expect(box).to_contain_text("analysed live")
    expect(box).to_contain_text("never recorded")

    box.get_by_role("button", name="Join with microphone").click()
    expect(box.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    expect(box.get_by_label("Microphone", exact=True).locator("option")).not_to_have_count(0)
    sent.wait_for_audio(page, 50)
    assert {len(pcm) for pcm in sent.audio} == {CHUNK_BYTES}
    # Maya starts speaking 0.5 s into the track: 8,000 samples in at 16 kHz (24,000 at 48).
    samples = struct.unpack(f"<{len(b''.join(sent.audio)) // 2}h", b"".join(sent.audio))
    first_voice = next(n for n, sample in enumerate(samples) if abs(sample) > 3_000)
    assert abs(first_voice / 16_000 - 0.5) < 0.3
    page.wait_for_function(
        "document.querySelector('[data-mic-level]').value > 0.05", timeout=10_000
    )

    box.get_by_role("button", name="Mute").click()
    expect(box.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
    expect(box.locator("[data-mic-state]")).to_have_text("Muted: nothing is sent.")
    assert sent.controls == [{"type": "mute", "muted": True}]
    before = len(sent.audio)
    page.wait_for_timeout(1_000)
    assert len(sent.audio) == before

    box.get_by_role("button", name="Unmute").click()
    expect(box.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    assert sent.controls[-1] == {"type": "mute", "muted": False}
    sent.wait_for_audio(page, before + 10)
    assert sent.closed_by_server == []
    assert console_errors == []


def test_a_microphone_joined_before_the_start_stays_joined_when_the_session_starts(
    with_microphone: Browser, live_server_url: str, make_session, invitee_user, console_errors
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    page = _room(with_microphone, live_server_url, session)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    sent = AudioSocket(page)
    box = page.locator("[data-microphone]")
    box.get_by_role("button", name="Join with microphone").click()
    expect(box.locator("[data-mic-state]")).to_have_text(
        "Your microphone works. Diadi starts listening when the session starts."
    )
    assert sent.audio == []

    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_role("button", name="Pause the facilitator")).to_be_visible()
    # No second press: the page keeps the microphone it was given and starts sending.
    expect(box.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    sent.wait_for_audio(page, 10)
    # The clock runs from the server's start.
    expect(page.locator("[data-timer]")).not_to_have_text("30:00")
    expect(page.locator("[data-timer]")).to_have_text(re.compile(r"^29:[0-5]\d$"))
    assert console_errors == []


def test_a_denied_permission_is_explained(
    playwright: Playwright, live_server_url: str, live_session
):
    denying = [
        *[a for a in CHROMIUM_ARGS if "fake-ui" not in a],
        "--use-fake-ui-for-media-stream=deny",
    ]
    for browser in _chromium(playwright, denying):
        page = _room(browser, live_server_url, live_session)
        page.get_by_role("button", name="Join with microphone").click()
        expect(
            page.get_by_role("alert").filter(has_text="may not use your microphone")
        ).to_be_visible()
        expect(page.get_by_role("button", name="Join with microphone")).to_be_enabled()


def test_a_missing_microphone_is_explained(
    playwright: Playwright, live_server_url: str, live_session
):
    without_device = [a for a in CHROMIUM_ARGS if "fake-device" not in a]
    for browser in _chromium(playwright, without_device):
        page = _room(browser, live_server_url, live_session)
        page.get_by_role("button", name="Join with microphone").click()
        expect(page.get_by_role("alert").filter(has_text="No microphone was found")).to_be_visible()


def test_joining_in_a_second_tab_takes_the_microphone_over(
    with_microphone: Browser, live_server_url: str, live_session
):
    first = _room(with_microphone, live_server_url, live_session)
    first.get_by_role("button", name="Join with microphone").click()
    expect(first.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    second = first.context.new_page()
    second.goto(f"{live_server_url}/sessions/{live_session.public_id}/live/")
    second.get_by_role("button", name="Join with microphone").click()
    expect(second.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    expect(first.get_by_role("alert")).to_have_text(
        "Your microphone is now used in another tab or window. Join again to use it here."
    )
    expect(first.get_by_role("button", name="Join with microphone")).to_be_enabled()


def test_a_dropped_connection_comes_back_by_itself_still_muted(
    with_microphone: Browser, live_server_url: str, live_session
):
    page = _room(with_microphone, live_server_url, live_session)
    connections, audio, controls = [], [], []

    def through(route) -> None:
        """Passes the page's socket on to the server, keeping what the page sends."""
        server = route.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, bytes):
                audio.append(message)
            else:
                controls.append(json.loads(message))
            server.send(message)

        route.on_message(from_page)
        connections.append(route)

    def wait_until(condition) -> None:
        for _ in range(300):
            if condition():
                return
            page.wait_for_timeout(100)
        raise AssertionError("the page did not get there")

    page.route_web_socket(re.compile(r".*/audio/$"), through)
    page.get_by_role("button", name="Join with microphone").click()
    expect(page.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    page.get_by_role("button", name="Mute").click()
    wait_until(lambda: controls == [{"type": "mute", "muted": True}])
    # The network drops the connection, as a server restart or a flaky Wi-Fi would.
    connections[0].close(code=1006, reason="network")
    wait_until(lambda: len(connections) == 2)
    # A new socket starts unmuted on the server: the page says at once that it is muted.
    wait_until(lambda: len(controls) == 2)
    assert controls[1] == {"type": "mute", "muted": True}
    before = len(audio)
    page.get_by_role("button", name="Unmute").click()
    expect(page.locator("[data-mic-state]")).to_have_text("Diadi is listening.")
    wait_until(lambda: len(audio) >= before + 10)
