"""The live room's facilitator settings, as the two people flip them."""

import pytest
from playwright.sync_api import Browser, expect

from conftest import wait_for
from facilitation.tests.test_browser_live_room import both_in_the_live_room
from sessions.models import Session
from sessions.services import live_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_setting_flipped_many_times_in_a_row_ends_as_the_person_left_it(
    browser: Browser, live_server_url: str, facilitation_worker, make_session, invitee_user
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    maya, david, errors = both_in_the_live_room(browser, live_server_url, session)
    maya.get_by_role("button", name="Start the session").click()
    for page in (maya, david):
        expect(page.get_by_role("button", name="Pause the facilitator")).to_be_visible()
    key = "facilitatedPrompts"
    assert live_settings(session)[key] is True
    box = maya.locator(f'[data-setting="{key}"]')
    expect(box).to_be_checked()

    # Nine quick flips, faster than the socket takes settings (2 a second): Maya leaves the
    # prompts off, and off they stay, for her, for David and in the session.
    for _ in range(9):
        box.click()
    expect(box).not_to_be_checked()
    expect(david.locator(f'[data-setting="{key}"]')).not_to_be_checked()
    assert wait_for(lambda: live_settings(Session.objects.get(pk=session.pk))[key] is False, 10)
    maya.wait_for_timeout(1_500)  # whatever the server still had to say has arrived
    expect(box).not_to_be_checked()
    assert live_settings(Session.objects.get(pk=session.pk))[key] is False
    assert maya.locator("[data-live-notice]").is_hidden()
    assert errors == []
