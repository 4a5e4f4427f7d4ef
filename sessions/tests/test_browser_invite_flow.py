import pytest
from playwright.sync_api import Browser, Page, expect

from sessions.models import Session, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/hub/")


def test_the_partner_consents_and_the_creator_sees_it_live(
    page: Page, browser: Browser, live_server_url: str, creator, persona, console_errors
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _log_in(page, live_server_url, "maya", "pw-maya-123")
    page.get_by_role("link", name="New session").first.click()

    page.get_by_label("Their name").fill("David")
    page.get_by_label("Co-founders").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    page.get_by_label("What do you want to leave this conversation with?").fill(
        "Decide who leads product and who leads sales"
    )
    expect(page.get_by_text("44 / 200 characters")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Their name")).to_have_value("David")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("What do you want to leave this conversation with?")).to_have_value(
        "Decide who leads product and who leads sales"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Neutral Mediator").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Step 4 of 5")).to_be_visible()
    page.get_by_label("Length in minutes").fill("20")
    page.get_by_role("button", name="Create session & invite link").click()

    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    invite_link = page.evaluate("navigator.clipboard.readText()")
    assert "/invite/" in invite_link
    page.get_by_role("link", name="Go to the waiting room").click()
    expect(page.locator("#waiting-room")).to_contain_text("Waiting for David")
    expect(page.locator("#session-events")).to_have_attribute("data-connected", "true")

    partner = browser.new_context(viewport={"width": 360, "height": 640})
    partner_page = partner.new_page()
    partner_page.goto(invite_link)
    expect(
        partner_page.get_by_role("heading", name="Maya would like to talk with you")
    ).to_be_visible()
    partner_page.get_by_label("I have read what the facilitator does").check()
    partner_page.get_by_role("button", name="Accept and join").click()
    expect(partner_page.get_by_text("You're in.")).to_be_visible()

    # No reload on Maya's side: the events websocket brings the news.
    david = page.locator(".person", has_text="David")
    expect(david.locator("[data-state]")).to_have_text("Joined", timeout=10_000)
    expect(page.locator("#waiting-room")).to_contain_text("You have both agreed")
    assert Session.objects.get().status == Status.READY
    partner.close()
    assert console_errors == []
