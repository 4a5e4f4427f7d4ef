import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 360, "height": 640}, {"width": 1280, "height": 720}]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_a_new_user_signs_up_and_lands_on_the_hub(
    page: Page, live_server_url: str, console_errors: list[str], viewport: dict
):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server_url}/")
    expect(page.get_by_role("heading", name="Talk about what matters")).to_be_visible()
    page.get_by_role("link", name="Try it: sign up and watch a demo").click()

    username = f"maya{viewport['width']}"
    page.get_by_label("Your name").fill("Maya")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Password confirmation").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Create account").click()

    # The way in leads to the demo, one click away; the hub is one click too.
    expect(page).to_have_url(f"{live_server_url}/sessions/demo/")
    expect(page.get_by_role("button", name="Start the demo")).to_be_visible()
    page.get_by_role("link", name="Not now").click()
    expect(page).to_have_url(f"{live_server_url}/hub/")
    expect(page.get_by_role("heading", name="Hello, Maya")).to_be_visible()
    for empty_state in ("No active session", "No sessions yet", "No recaps yet"):
        expect(page.get_by_text(empty_state)).to_be_visible()
    expect(page.get_by_role("link", name="New session")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    box = nav.bounding_box()
    assert box is not None
    if viewport["width"] < 768:
        assert box["y"] + box["height"] == pytest.approx(viewport["height"], abs=1)  # bottom bar
    else:
        assert box["x"] == 0 and box["height"] == pytest.approx(viewport["height"], abs=1)  # rail
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert console_errors == []
