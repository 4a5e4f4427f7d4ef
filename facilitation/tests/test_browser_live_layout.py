"""The live room on a laptop (1280x720) and a phone (360x640), measured with element boxes:
the kill switch is on screen without scrolling, and a prompt never covers it or the balance."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import play_script
from sessions.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [{"width": 1280, "height": 720}, {"width": 360, "height": 640}]
SIZE_IDS = ["1280x720", "360x640"]


def _logged_in(browser: Browser, base: str, viewport: dict, user: str = "maya") -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(f"pw-{user}-123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/hub/")
    return page


def _box(page: Page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box


def _in_viewport(box: dict, viewport: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _start(page: Page, base: str, public_id: str, speed: float, request) -> None:
    """Open the live room of a ready session, then play a script in it from the command line,
    as someone could: the running Diadi takes the run and the open room starts."""
    page.goto(f"{base}/sessions/{public_id}/live/")
    expect(page.locator("#session-events")).to_have_attribute("data-connected", "true")
    request.addfinalizer(play_script(public_id, "one_sided.yaml", speed).kill)
    # Started: the room redraws itself with its clock (the command's process starts first).
    expect(page.locator("#live-room")).not_to_have_attribute("data-ends-at", "", timeout=60_000)
    expect(page.get_by_role("button", name="Pause the facilitator")).to_be_visible()
    expect(page.locator("#session-events")).to_have_attribute("data-connected", "true")


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_the_kill_switch_stays_in_view_and_a_prompt_covers_nothing(
    browser: Browser, live_server_url: str, facilitation_worker, make_session, viewport, request
):
    session, _ = make_session(consented=True)
    page = _logged_in(browser, live_server_url, viewport)
    # one_sided.yaml's first prompt (to David, the quieter one) comes at 211 s: 10.6 s at 20x.
    _start(page, live_server_url, session.public_id, 20, request)
    kill_switch = "button:has-text('Pause the facilitator')"
    expect(page.locator(kill_switch)).to_be_in_viewport(ratio=1)
    assert _in_viewport(_box(page, kill_switch), viewport)

    expect(page.locator(".prompt")).to_contain_text("David", timeout=60_000)
    prompt = _box(page, ".prompt")
    assert _in_viewport(_box(page, kill_switch), viewport)
    assert not _overlap(prompt, _box(page, kill_switch))
    assert not _overlap(prompt, _box(page, "[data-balance]"))
    # Not spoken (this server has no voice): no "spoken" label.
    expect(page.locator(".prompt [data-spoken]")).to_be_hidden()

    # Pausing by keyboard: focus stays on the control that takes its place.
    page.locator(kill_switch).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Resume the facilitator")).to_be_focused()
    expect(page.locator(".prompt")).to_have_count(0)  # a pause clears the prompt...
    expect(page.locator(".history__item").first).to_contain_text("David")  # ...to the history
    for dot in page.locator(".speaking-dot").all():
        assert float(dot.evaluate("d => getComputedStyle(d).opacity")) <= 0.25
    page.get_by_role("button", name="Resume the facilitator").press("Enter")
    expect(page.get_by_role("button", name="Pause the facilitator")).to_be_focused()
    page.context.close()


def test_the_timer_runs_on_the_sessions_clock_from_the_first_render(
    browser: Browser, live_server_url: str, facilitation_worker, make_session, request
):
    # At twice real speed a 10-minute session is up after 5 minutes of wall time: a timer
    # counting wall time would start near 5:00, the session's clock starts near 10:00.
    session, _ = make_session(consented=True, duration_minutes=10)
    page = _logged_in(browser, live_server_url, SIZES[1])
    _start(page, live_server_url, session.public_id, 2, request)
    first = page.locator("[data-timer]").inner_text()
    minutes = int(re.fullmatch(r"(\d+):\d\d", first).group(1))
    assert 8 <= minutes <= 10, first
    page.reload()
    again = page.locator("[data-timer]").inner_text()
    assert 8 <= int(again.split(":")[0]) <= minutes, (first, again)
    page.context.close()


def test_the_partner_follows_into_the_live_room(
    browser: Browser, live_server_url: str, facilitation_worker, make_session, invitee_user
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    david = _logged_in(browser, live_server_url, SIZES[1], user="david")
    david.goto(f"{live_server_url}/sessions/{session.public_id}/")
    expect(david.locator("#session-events")).to_have_attribute("data-connected", "true")
    maya = _logged_in(browser, live_server_url, SIZES[0])
    maya.goto(f"{live_server_url}/sessions/{session.public_id}/")
    maya.get_by_role("button", name="Start the session").click()
    expect(maya).to_have_url(f"{live_server_url}/sessions/{session.public_id}/live/")
    expect(david).to_have_url(f"{live_server_url}/sessions/{session.public_id}/live/")
    expect(david.get_by_role("button", name="Pause the facilitator")).to_be_visible()
    session.refresh_from_db()
    assert session.status == Status.IN_PROGRESS
    maya.get_by_text("End the session").click()
    maya.get_by_role("button", name="Yes, end it").click()
    expect(david).to_have_url(f"{live_server_url}/sessions/{session.public_id}/")
