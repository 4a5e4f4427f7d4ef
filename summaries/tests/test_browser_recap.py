"""Two people end a facilitated session and share its recap in their browsers."""

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import play_script
from facilitation.tests.test_browser_live_room import both_in_the_live_room
from summaries.models import Agreement, Rating, Summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# one_sided.yaml's first prompt (to David) comes at 211 s: about 5 s at 40x.
SPEED = 40
REPLY = {
    "consensus_summary": "Priya and Tom set Tom's priorities for next quarter.",
    "key_agreements": [
        {"title": "Billing first", "description": "Billing comes before the dashboard."},
    ],
    "action_items": [
        {
            "text": "David will send the one-pager by Friday",
            "owner": "David",
            "commitment": "committed",
            "quote": "I'll send you the one-pager by Friday.",
        },
        {
            "text": "Maya might ask design for help",
            "owner": "Maya",
            "commitment": "tentative",
            "quote": "I might ask design for help.",
        },
    ],
    "open_disagreements": ["The billing timeline."],
}


@pytest.fixture
def fake_openai(fake_openai_server):
    yield fake_openai_server
    fake_openai_server.release()
    fake_openai_server.answer()


def _agreement(page: Page) -> Locator:
    return page.locator("#agreements li.shared").first


def test_two_people_share_the_recap_live(
    browser: Browser,
    live_server_url: str,
    facilitation_worker,
    fake_openai,
    make_session,
    invitee_user,
    request,
):
    session, _ = make_session(consented=True, invitee=invitee_user)
    maya, david, errors = both_in_the_live_room(browser, live_server_url, session)
    # Played from the command line; the running Diadi takes the run.
    request.addfinalizer(play_script(session.public_id, "one_sided.yaml", SPEED).kill)
    prompt = david.locator(".prompt").first
    expect(prompt).to_contain_text("David", timeout=20_000)
    prompt.get_by_role("button", name="We'll try that").click()

    # OpenAI takes its time: both see the recap being written.
    fake_openai.answer(REPLY)
    fake_openai.hold()
    maya.get_by_text("End the session").click()
    maya.get_by_role("button", name="Yes, end it").click()
    for page in (maya, david):
        expect(page).to_have_url(f"{live_server_url}/sessions/{session.public_id}/")
        page.get_by_role("link", name="Open the recap").click()
        expect(page.get_by_text("Writing your recap")).to_be_visible()

    # It is written (in the background, after the run's last words): both pages update.
    fake_openai.release()
    for page in (maya, david):
        expect(page.locator("#recap-state")).to_contain_text(
            REPLY["consensus_summary"], timeout=30_000
        )
        expect(page.locator("svg.chart__svg")).to_be_visible()
        expect(page.locator("#timeline")).to_contain_text("David: we'll try that")
        expect(page.locator("[data-commitment='tentative']")).to_have_count(1)
    summary = Summary.objects.get(session=session)
    assert summary.status == Summary.Status.READY and summary.made_offline is False

    # Maya starts changing the agreement while David confirms it: her page hears of his
    # confirmation but keeps her words; once she saves, his confirmation goes.
    _agreement(maya).get_by_text("Edit").click()
    _agreement(maya).get_by_label("Agreement").fill("Billing first, then the dashboard export")
    _agreement(david).get_by_role("button", name="Confirm").click()
    expect(_agreement(david)).to_contain_text("David (you): confirmed")
    summary.refresh_from_db()
    confirmed = f"{summary.pk}.{summary.version}"
    expect(maya.locator("#recap")).to_have_attribute("data-version", confirmed)
    expect(_agreement(maya).locator("details[data-editor]")).to_have_attribute("open", "")
    expect(_agreement(maya).get_by_label("Agreement")).to_have_value(
        "Billing first, then the dashboard export"
    )
    _agreement(maya).get_by_role("button", name="Save").click()
    expect(_agreement(david)).to_contain_text("Billing first, then the dashboard export")
    expect(_agreement(david)).to_contain_text("David (you): not confirmed yet")
    expect(_agreement(david)).to_contain_text("Maya: confirmed")
    _agreement(david).get_by_role("button", name="Confirm").click()
    for page in (maya, david):
        expect(_agreement(page)).not_to_contain_text("not confirmed yet")

    for page, score in ((maya, "5"), (david, "4")):
        page.locator("#rating").get_by_label(score, exact=True).check()
        page.get_by_role("button", name="Send my rating").click()
        expect(page.locator("#rating")).to_contain_text(f"You rated this session {score} out of 5")

    agreement = Agreement.objects.get(summary=summary)
    assert agreement.title == "Billing first, then the dashboard export"
    assert agreement.confirmed_by.count() == 2
    assert sorted(Rating.objects.values_list("score", flat=True)) == [4, 5]
    assert errors == []
