"""The live room of a Zoom session, as both people see it: the facilitator joining the call,
the balance the call's speaker names give, the labels swapped by one of them, the bot
removed from the call and sent back in."""

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import wait_for
from facilitation.models import MeetingBot
from facilitation.tests.meeting_support import ZOOM_URL
from facilitation.tests.test_browser_live_room import _logged_in
from sessions.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _share(page: Page, person_id: str) -> int:
    return int(page.locator(f'[data-person="{person_id}"] [data-percentage]').inner_text()[:-1])


def test_both_follow_the_facilitator_in_the_call(
    browser: Browser, meeting_server, make_session, invitee_user, console_errors
):
    base, fake = meeting_server
    session, _ = make_session(
        consented=True, invitee=invitee_user, platform="zoom", meeting_url=ZOOM_URL
    )
    ids = {p.display_name: p.public_id for p in session.participants.all()}
    maya = _logged_in(browser, base, "maya", "pw-maya-123", {"width": 1280, "height": 900})
    david = _logged_in(browser, base, "david", "pw-david-123", {"width": 390, "height": 844})
    errors: list[str] = []
    for page in (maya, david):
        page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Maya starts from the session page; the facilitator goes into the call.
    maya.goto(f"{base}/sessions/{session.public_id}/")
    maya.get_by_role("button", name="Start the session").click()
    expect(maya).to_have_url(f"{base}/sessions/{session.public_id}/live/")
    david.goto(f"{base}/sessions/{session.public_id}/live/")
    for page in (maya, david):
        expect(page.locator("[data-bot-label]")).to_have_text(
            "The facilitator is in the call", timeout=20_000
        )

    # The call says who speaks: Maya has talked the most once the recording has played.
    [bot] = fake.bots.values()
    assert wait_for(lambda: bot.played)
    expect(david.locator(f'[data-person="{ids["Maya"]}"] [data-percentage]')).not_to_have_text(
        "50%"
    )
    assert wait_for(lambda: _share(david, ids["Maya"]) > 70, 10)

    # Maya thinks the call mixed them up, and swaps the labels: both see the talk change hands.
    maya.get_by_role("button", name="Swap the speaker labels").click()
    for page in (maya, david):
        assert wait_for(lambda page=page: _share(page, ids["David"]) > 70, 10)
        assert _share(page, ids["Maya"]) < 30

    # Someone removes the bot from the call: both see it, and the facilitator pauses.
    fake.call(fake.fail, bot)
    for page in (maya, david):
        expect(page.locator("[data-bot-label]")).to_have_text(
            "The facilitator could not stay in the call"
        )
        expect(page.locator("[data-bot-reason]")).to_have_text("The bot was removed by the host")
        expect(page.get_by_text("Paused.", exact=True)).to_be_visible()

    # Maya sends it back in.
    maya.get_by_role("button", name="Send the facilitator back in").click()
    for page in (maya, david):
        expect(page.locator("[data-bot-label]")).to_have_text(
            "The facilitator is in the call", timeout=20_000
        )
    assert MeetingBot.objects.filter(session=session).count() == 2

    maya.get_by_text("End the session").click()
    maya.get_by_role("button", name="Yes, end it").click()
    expect(maya).to_have_url(f"{base}/sessions/{session.public_id}/")
    assert wait_for(lambda: len(fake.bots) == 2 and all(b.over for b in fake.bots.values()))
    session.refresh_from_db()
    assert session.status == Status.ENDED
    assert errors == []
