"""A new user presses "Try a demo" on a server started as `make run` starts it."""

import pytest
from playwright.sync_api import Browser, expect

from facilitation.models import FacilitationRun
from sessions.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_is_facilitated_live(
    browser: Browser, live_server_url: str, facilitation_worker, creator, persona
):
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("pw-maya-123")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("button", name="Try a demo").click()
    session = Session.objects.get(creator=creator, is_demo=True)
    expect(page).to_have_url(f"{live_server_url}/sessions/{session.public_id}/live/")
    expect(page.locator("#session-events")).to_have_attribute("data-connected", "true")

    # one_sided.yaml (the demo) has Priya talk on: the server's run measures it and prompts
    # Tom at 3:31, 10.5 s into the demo at the tests' 20x.
    expect(page.locator("[data-percentage]").first).not_to_have_text("50%", timeout=15_000)
    expect(page.locator(".prompt").first).to_contain_text("Tom, how does this look", timeout=30_000)
    run = FacilitationRun.objects.get(session=session)
    assert run.host  # held by the server's run host (or the worker's, in production)
    assert errors == []
