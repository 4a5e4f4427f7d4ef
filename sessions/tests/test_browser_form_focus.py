"""After a failed submit, the first error has the focus and is on screen, laptop and phone."""

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [{"width": 1280, "height": 720}, {"width": 360, "height": 640}]
SIZE_IDS = ["1280x720", "360x640"]


def _focused_on_screen(page: Page, locator, viewport: dict) -> None:
    expect(locator).to_be_focused()
    expect(locator).to_have_attribute("aria-invalid", "true")
    box = locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_the_wizard_focuses_its_first_error(
    browser: Browser, live_server_url: str, creator, persona, viewport
):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("pw-maya-123")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server_url}/sessions/new/")
    page.get_by_label("Co-founders").check()
    page.get_by_role("button", name="Continue").click()  # their name is missing
    _focused_on_screen(page, page.get_by_label("Their name"), viewport)
    expect(page.locator(".field--invalid").first).to_contain_text("This field is required")
    page.context.close()


@pytest.mark.parametrize("viewport", SIZES, ids=SIZE_IDS)
def test_the_consent_page_focuses_its_error(
    browser: Browser, live_server_url: str, make_session, viewport
):
    _, token = make_session()
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{live_server_url}/invite/{token}/")
    page.get_by_role("button", name="Accept and join").click()  # without ticking the box
    agree = page.get_by_label("I have read what the facilitator does")
    _focused_on_screen(page, agree, viewport)
    expect(page.get_by_text("Tick this box to accept, or decline below.")).to_be_in_viewport()
    page.context.close()
