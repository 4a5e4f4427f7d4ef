"""Where the facilitator bot is, as both people see it: MeetingBaas' callbacks (checked by
their secret, harmless when replayed), status polling while the bot is on its way, a bot
that leaves or fails on its own (facilitation pauses) and being sent back in."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import server_env, start_worker, wait_for
from facilitation.adapters import meetingbaas
from facilitation.meetings import bots
from facilitation.meetings.bots import BOT_STATUS
from facilitation.models import MeetingBot
from facilitation.tests.meeting_support import ZOOM_URL, callback_of, stream_secret
from sessions.models import SessionEvent, Status
from sessions.state import Action, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(make_session, invitee_user, fake_meetingbaas):
    """A Zoom session started with its bot on its way in (the fake's FakeBot beside it)."""
    session = make_session(
        consented=True, invitee=invitee_user, platform="zoom", meeting_url=ZOOM_URL
    )[0]
    client = APIClient()
    client.force_authenticate(session.creator)
    bot_id = client.post(f"/api/v1/sessions/{session.public_id}/start", {}, format="json").json()[
        "botId"
    ]
    fake_bot = fake_meetingbaas.bots[bot_id]
    while "in_waiting_room" not in fake_bot.statuses:  # where the fake's bot waits
        time.sleep(0.01)
    return session, fake_bot


def _post(path, body, secret=None):
    headers = {"HTTP_X_MB_SECRET": secret} if secret is not None else {}
    return Client().post(path, body, content_type="application/json", **headers)


def _statuses(session):
    return [e.data["status"] for e in SessionEvent.objects.filter(session=session, type=BOT_STATUS)]


def _failed(bot_id, message="The host removed the bot"):
    return {
        "event": "bot.failed",
        "data": {
            "bot_id": bot_id,
            "event_id": None,
            "error_message": message,
            "error_code": "BOT_REMOVED",
            "sent_at": "2026-11-27T10:00:00Z",
        },
        "extra": {},
    }


@pytest.mark.parametrize("secret", [None, "", "not-the-secret"])
def test_a_callback_with_a_wrong_or_missing_secret_changes_nothing(live, fake_meetingbaas, secret):
    session, fake_bot = live
    path, _ = callback_of(fake_meetingbaas, fake_bot.bot_id)
    before = session.events.count()
    response = _post(path, _failed(fake_bot.bot_id), secret)
    assert response.status_code == 403
    assert MeetingBot.objects.get(session=session).status == "joining"
    assert session.events.count() == before


def test_callbacks_for_unknown_bots_or_in_other_shapes_change_nothing(live, fake_meetingbaas):
    session, fake_bot = live
    path, secret = callback_of(fake_meetingbaas, fake_bot.bot_id)
    assert _post("/meetingbaas/bots/bot_nobody/callback/", _failed("x"), secret).status_code == 404
    assert _post(path, "not json", secret).status_code == 400
    assert _post(path, {"event": "bot.failed"}, secret).status_code == 400
    assert _post(path, _failed("another-bot"), secret).status_code == 400
    assert Client().get(path).status_code == 405
    assert _statuses(session) == ["joining"]


def test_a_bot_that_fails_on_its_own_pauses_facilitation_once(live, fake_meetingbaas):
    session, fake_bot = live
    path, secret = callback_of(fake_meetingbaas, fake_bot.bot_id)
    assert _post(path, _failed(fake_bot.bot_id), secret).status_code == 200
    bot = MeetingBot.objects.get(session=session)
    assert (bot.status, bot.reason) == ("failed", "The host removed the bot")
    session.refresh_from_db()
    assert session.status == Status.PAUSED
    paused = session.events.get(type="session_state", data__status="paused")
    assert paused.data["reason"] == "bot_failed"
    # MeetingBaas delivers again: nothing moves twice.
    before = session.events.count()
    assert _post(path, _failed(fake_bot.bot_id), secret).status_code == 200
    assert session.events.count() == before
    assert _statuses(session) == ["joining", "failed"]


def test_a_bot_that_leaves_on_its_own_pauses_and_either_person_sends_it_back(
    live, fake_meetingbaas, invitee_user
):
    session, fake_bot = live
    # The fake removes its bot from the call, as a host would; its callback reaches Diadi
    # through the live path only in the flow test, so here it is posted as it sent it.
    path, secret = callback_of(fake_meetingbaas, fake_bot.bot_id)
    completed = {
        "event": "bot.completed",
        "data": {"bot_id": fake_bot.bot_id, "event_id": None, "participants": [], "speakers": []},
        "extra": {},
    }
    assert _post(path, completed, secret).status_code == 200
    session.refresh_from_db()
    assert session.status == Status.PAUSED
    assert session.events.get(type="session_state", data__status="paused").data["reason"] == (
        "bot_left"
    )
    old = MeetingBot.objects.get(session=session)
    old.speakers = {"laptop": session.participants.get(role="invitee").public_id}
    old.save()

    david = Client()
    david.force_login(invitee_user)
    room = david.get(f"/sessions/{session.public_id}/live/").content.decode()
    assert "The facilitator left the call" in room
    assert "Send the facilitator back in" in room
    response = david.post(f"/sessions/{session.public_id}/bot/send/")
    assert response.status_code == 302
    new = MeetingBot.objects.filter(session=session).first()
    assert new.pk != old.pk and new.status == "joining"
    assert len(fake_meetingbaas.bots) == 2
    # Who is who carries over.
    assert new.speakers == old.speakers
    assert _statuses(session) == ["joining", "left", "joining"]
    # A callback from the old bot, late, changes nothing for the new one.
    assert _post(path, completed, secret).status_code == 200
    assert MeetingBot.objects.filter(session=session).first().status == "joining"


def test_the_bot_cannot_be_sent_twice_at_once(live, invitee_user):
    session, _ = live
    david = Client()
    david.force_login(invitee_user)
    response = david.post(f"/sessions/{session.public_id}/bot/send/", follow=True)
    assert "already on its way" in response.content.decode()
    assert MeetingBot.objects.filter(session=session).count() == 1


def test_polling_follows_the_bot_into_the_call(live, fake_meetingbaas):
    session, fake_bot = live
    fake_bot.status = "in_waiting_room"
    assert bots.poll() == 1
    room = _statuses(session)
    assert room == ["joining", "waiting_room"]
    assert SessionEvent.objects.filter(session=session, type=BOT_STATUS).last().data["label"] == (
        "The facilitator is waiting to be admitted"
    )
    # Polled again in the same state: nothing new.
    bots.poll()
    assert _statuses(session) == ["joining", "waiting_room"]
    fake_bot.status = "in_call_recording"
    bots.poll()
    assert _statuses(session) == ["joining", "waiting_room", "in_call"]
    # In the call, the bot is no longer polled; and a status never goes backwards.
    assert bots.poll() == 0
    assert not bots.update(MeetingBot.objects.get(session=session).pk, "waiting_room")


def test_a_bot_refused_entry_is_shown_as_failed_with_the_reason(live):
    session, fake_bot = live
    fake_bot.status = "bot_rejected"
    bots.poll()
    bot = MeetingBot.objects.get(session=session)
    assert (bot.status, bot.reason) == ("failed", "The facilitator was not let into the call.")
    session.refresh_from_db()
    assert session.status == Status.PAUSED


def test_ending_the_session_tells_the_bot_to_leave(live, fake_meetingbaas):
    session, fake_bot = live
    bots.send_away(MeetingBot.objects.get(session=session).pk, "The session ended.")
    assert fake_bot.leave_calls == 1
    bot = MeetingBot.objects.get(session=session)
    assert (bot.status, bot.leave_requested) == ("left", True)
    # Asked to leave, it does not pause anything, and telling it twice is harmless.
    session.refresh_from_db()
    assert session.status == Status.IN_PROGRESS
    bots.send_away(bot.pk, "The session ended.")
    assert fake_bot.leave_calls == 1


def test_a_bot_asked_to_leave_is_asked_again_later_not_while_the_first_ask_may_be_on_its_way(
    live, fake_meetingbaas
):
    session, fake_bot = live
    bot_pk = MeetingBot.objects.get(session=session).pk
    # MeetingBaas answers 503 to all three of the client's attempts.
    fake_meetingbaas.leave_failures = 3
    asked = timezone.now()
    with time_machine.travel(asked, tick=False):
        with pytest.raises(meetingbaas.MeetingBaasError):
            bots.send_away(bot_pk, "The session ended.")
        assert fake_bot.leave_calls == 3
        bots.poll()  # as if the request might still be on its way: nothing more
        assert fake_bot.leave_calls == 3
    with time_machine.travel(asked + timedelta(seconds=29), tick=False):
        bots.poll()
        assert fake_bot.leave_calls == 3
    with time_machine.travel(asked + timedelta(seconds=31), tick=False):
        bots.poll()
    assert fake_bot.leave_calls == 4
    assert MeetingBot.objects.get(pk=bot_pk).status == "left"


def test_the_live_room_shows_the_bot_and_the_swap_control(live, creator):
    session, _ = live
    maya = Client()
    maya.force_login(creator)
    room = maya.get(f"/sessions/{session.public_id}/live/").content.decode()
    assert "The facilitator is joining the call" in room
    assert "Swap the speaker labels" in room
    panel = maya.get(f"/sessions/{session.public_id}/live/bot/").content.decode()
    assert 'data-bot-status="joining"' in panel


def test_outsiders_cannot_see_or_use_the_meeting_controls(live, outsider):
    session, _ = live
    olga = Client()
    olga.force_login(outsider)
    for path in ("live/bot/", "bot/send/", "speakers/swap/"):
        method = olga.get if path.endswith("bot/") and path.startswith("live") else olga.post
        assert method(f"/sessions/{session.public_id}/{path}").status_code == 404


def test_a_stream_secret_is_never_a_callback_secret(live, fake_meetingbaas):
    _, fake_bot = live
    path, _ = callback_of(fake_meetingbaas, fake_bot.bot_id)
    wrong = stream_secret(fake_meetingbaas, fake_bot.bot_id)
    assert _post(path, _failed(fake_bot.bot_id), wrong).status_code == 403


@pytest.fixture
def background_worker(fake_meetingbaas, settings):
    """In production mode, background work goes to Celery: a worker that reaches the fake."""
    if not settings.USE_REDIS:
        yield  # embedded: a thread of this process does it
        return
    env = {
        **server_env(),
        "MEETING_BAAS_API_KEY": settings.MEETING_BAAS_API_KEY,
        "MEETING_BAAS_API_URL": fake_meetingbaas.url,
    }
    worker = start_worker("background", env=env)
    yield
    worker.terminate()
    worker.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_live_session_sends_its_bot_away_and_keeps_nothing(
    live, creator, background_worker
):
    session, fake_bot = live
    maya = Client()
    maya.force_login(creator)
    maya.post(f"/sessions/{session.public_id}/delete/")
    assert wait_for(lambda: fake_bot.leave_calls == 1, 30)
    assert wait_for(lambda: not MeetingBot.objects.exists(), 30)


def test_a_launch_cut_short_is_found_and_sent_away(live, fake_meetingbaas):
    """The process that asked MeetingBaas for a bot died before it heard back: the bot,
    made all the same, is found by its reference and sent away."""
    session, _ = live
    row = MeetingBot.objects.create(
        session=session,
        session_public_id=session.public_id,
        stream_secret_hash="a" * 64,
        callback_secret_hash="b" * 64,
    )
    meetingbaas.client().create_bot(
        meetingbaas.BotRequest(
            meeting_url=ZOOM_URL,
            bot_name="Neutral Mediator",
            input_url="ws://127.0.0.1:9/in",
            output_url="ws://127.0.0.1:9/out",
            callback_url="http://127.0.0.1:9/cb",
            callback_secret="s",
            reference=row.reference,
        )
    )
    stray = [b for b in fake_meetingbaas.bots.values() if b.leave_calls == 0][-1]
    assert bots.poll() == 1  # too recent to give up on
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        bots.poll()
    assert stray.leave_calls == 1
    row.refresh_from_db()
    assert (row.status, row.bot_id) == ("failed", stray.bot_id)


@pytest.mark.django_db(transaction=True)
def test_a_bot_sent_back_as_the_session_ends_is_sent_away(live, fake_meetingbaas, invitee_user):
    session, fake_bot = live
    path, secret = callback_of(fake_meetingbaas, fake_bot.bot_id)
    assert _post(path, _failed(fake_bot.bot_id), secret).status_code == 200
    # David sends the facilitator back in; while MeetingBaas answers, Maya ends the session.
    fake_meetingbaas.next = {"during": lambda: transition(session, Action.END)}
    david = Client()
    david.force_login(invitee_user)
    response = david.post(f"/sessions/{session.public_id}/bot/send/", follow=True)
    assert "Session not in progress" in response.content.decode()
    [second] = [b for b in fake_meetingbaas.bots.values() if b is not fake_bot]
    assert wait_for(lambda: second.leave_calls >= 1, 10)
    assert MeetingBot.objects.filter(session=session).first().status == "left"


def test_a_failure_found_by_polling_takes_the_words_of_the_callback_that_follows(
    live, fake_meetingbaas
):
    # MeetingBaas' status only says the bot failed; its callback, which may come after a
    # poll has seen that, says why.
    session, fake_bot = live
    fake_bot.status = "failed"
    bots.poll()
    bot = MeetingBot.objects.get(session=session)
    assert (bot.status, bot.reason) == ("failed", "The facilitator could not join the call.")
    path, secret = callback_of(fake_meetingbaas, fake_bot.bot_id)
    assert _post(path, _failed(fake_bot.bot_id), secret).status_code == 200
    bot.refresh_from_db()
    assert (bot.status, bot.reason) == ("failed", "The host removed the bot")
    shown = SessionEvent.objects.filter(session=session, type=BOT_STATUS).last()
    assert shown.data["reason"] == "The host removed the bot"
    # Facilitation paused once, when the poll found it; a replay changes nothing more.
    assert session.events.filter(type="session_state", data__status="paused").count() == 1
    before = session.events.count()
    assert _post(path, _failed(fake_bot.bot_id), secret).status_code == 200
    assert session.events.count() == before
