import re

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import play_script
from sessions.models import SessionEvent, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# one_sided.yaml prompts at 211 s (visual) and 350 s (voice) and ends at 599 s; 20x faster
# that is 10.6 s, 17.5 s and 30 s: room to pause, wait, resume and end on a busy machine.
SPEED = 20


def _logged_in(browser: Browser, base: str, username: str, password: str, viewport: dict) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/hub/")
    return page


def both_in_the_live_room(
    browser: Browser, base: str, session: object
) -> tuple[Page, Page, list[str]]:
    """Maya on a desktop and David on a phone, logged in and connected to the session's live
    room; the list collects every console error and uncaught exception of either page."""
    maya = _logged_in(browser, base, "maya", "pw-maya-123", {"width": 1280, "height": 720})
    david = _logged_in(browser, base, "david", "pw-david-123", {"width": 360, "height": 640})
    errors: list[str] = []
    for page in (maya, david):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/sessions/{session.public_id}/live/")
        expect(page.locator("#session-events")).to_have_attribute("data-connected", "true")
    return maya, david, errors


def _percentages(page: Page) -> list[str]:
    return page.locator("[data-percentage]").all_inner_texts()


def test_both_see_the_same_room_and_either_can_stop_the_facilitator(
    browser: Browser, live_server_url: str, facilitation_worker, make_session, invitee_user, request
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    maya, david, errors = both_in_the_live_room(browser, live_server_url, session)

    # Someone plays a script in their session from the command line; the running Diadi
    # takes the run, so both open rooms follow it.
    request.addfinalizer(play_script(session.public_id, "one_sided.yaml", SPEED).kill)
    for page in (maya, david):  # once the command's own process has started
        expect(page.get_by_role("button", name="Pause the facilitator")).to_be_visible(
            timeout=60_000
        )

    # The first prompt reaches both, the same words, aimed at the quieter person (David).
    prompts = [page.locator(".prompt").first for page in (maya, david)]
    for prompt in prompts:
        expect(prompt).to_contain_text("David", timeout=60_000)
    assert (
        prompts[0].locator("[data-message]").inner_text()
        == prompts[1].locator("[data-message]").inner_text()
    )
    prompts[1].get_by_role("button", name="We'll try that").click()
    expect(david.locator(".prompt")).to_have_count(0)
    # Maya is told, and the prompt stays readable in both rooms' history.
    for page in (maya, david):
        expect(page.locator(".history__item").first).to_contain_text("David: we'll try that")
    expect(maya.locator(".prompt")).to_have_count(0)

    # Maya presses the kill switch; both see it at once.
    maya.get_by_role("button", name="Pause the facilitator").click()
    for page in (maya, david):
        expect(page.get_by_text("Paused.", exact=False)).to_be_visible()
        expect(page.locator("[data-ai-label]")).to_have_text("Paused: not listening")
    seq_paused = session.events.get(type="session_state", data__status="paused").seq

    # The voice prompt was due at 350 s; paused, nothing comes (and the balance stands still).
    maya.wait_for_timeout(6_000)
    assert _percentages(maya) == _percentages(david)
    assert all(re.fullmatch(r"\d+%", p) for p in _percentages(maya))
    for page in (maya, david):
        expect(page.locator(".prompt")).to_have_count(0)
    assert not SessionEvent.objects.filter(
        session=session, seq__gt=seq_paused, type="intervention"
    ).exists()

    david.get_by_role("button", name="Resume the facilitator").click()
    for page in (maya, david):
        expect(page.get_by_role("button", name="Pause the facilitator")).to_be_visible()

    david.get_by_text("End the session").click()
    david.get_by_role("button", name="Yes, end it").click()
    for page in (maya, david):
        expect(page).to_have_url(f"{live_server_url}/sessions/{session.public_id}/")
        expect(page.locator("#waiting-room")).to_contain_text("The session has ended")
    session.refresh_from_db()
    assert session.status == Status.ENDED
    assert SessionEvent.objects.filter(session=session, type="intervention_ack").count() == 1
    assert errors == []
