"""The facilitator bot's life: sent into the call, seen joining, waiting to be admitted, in
the call, gone. Status comes from three places (polling while the bot is on its way, the
audio socket opening, MeetingBaas' callbacks) and goes through one function, update(),
which never moves a bot backwards, so a late poll or a replayed callback changes nothing.

Every move is logged as a `bot_status` event, so both people see it in the live room and on
the session page. A bot that leaves or fails on its own pauses the facilitation; either
person can send a new one in.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from facilitation import adapters
from facilitation.adapters import meetingbaas
from facilitation.models import MeetingBot
from sessions.errors import ErrorCode, SessionError
from sessions.events import append_event
from sessions.models import LIVE_STATUSES, Session, Status
from sessions.state import Action, transition

logger = logging.getLogger(__name__)

BOT_STATUS = "bot_status"
Bot = MeetingBot.Status
LABELS = {
    Bot.LAUNCHING: "The facilitator is being sent into the call",
    Bot.JOINING: "The facilitator is joining the call",
    Bot.WAITING_ROOM: "The facilitator is waiting to be admitted",
    Bot.IN_CALL: "The facilitator is in the call",
    Bot.LEFT: "The facilitator left the call",
    Bot.FAILED: "The facilitator could not stay in the call",
}
# A bot only ever moves forward; left and failed are final.
_RANK = {
    Bot.LAUNCHING: 0,
    Bot.JOINING: 1,
    Bot.WAITING_ROOM: 2,
    Bot.IN_CALL: 3,
    Bot.LEFT: 4,
    Bot.FAILED: 4,
}
# Why facilitation paused (the session_state event's reason).
PAUSED_BOT_LEFT = "bot_left"
PAUSED_BOT_FAILED = "bot_failed"
# A launch that never got MeetingBaas' answer (its process died) is looked for and closed.
LAUNCH_GIVE_UP = timedelta(minutes=2)
# A bot asked to leave that is still in the call is asked again after this long, not while
# the first request may still be on its way (the fake counted two leaves for one end).
LEAVE_ASKED_AGAIN_AFTER = timedelta(seconds=30)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(secret: str, stored: str) -> bool:
    return bool(secret) and bool(stored) and hmac.compare_digest(digest(secret), stored)


# Can this server send a bot at all? -------------------------------------------------------


def _local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def public_address_problem() -> str | None:
    """Why MeetingBaas could not reach this server at PUBLIC_BASE_URL; None when it can.

    MeetingBaas' bots call in from the internet, over https. Only a MeetingBaas on this
    network (the local fake) can reach a local address, and then plain http will do."""
    base = settings.PUBLIC_BASE_URL
    if not base:
        return (
            "This server's public address is not set (PUBLIC_BASE_URL), so the facilitator "
            "bot could not reach it."
        )
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"PUBLIC_BASE_URL ({base}) is not a web address the facilitator bot can reach."
    provider_is_local = _local(urlsplit(settings.MEETING_BAAS_API_URL).hostname or "")
    if _local(parts.hostname):
        if provider_is_local:
            return None
        return (
            f"PUBLIC_BASE_URL ({base}) is a local address the facilitator bot cannot reach "
            "from the internet."
        )
    if parts.scheme != "https":
        return "The facilitator bot needs this server on https: PUBLIC_BASE_URL must be https://."
    return None


def meetings_off_reason() -> str | None:
    """Why this server cannot send a facilitator into calls; None when it can."""
    if not adapters.MEETINGS.available:
        return (
            "Diadi cannot join Zoom, Google Meet or Teams calls on this server: MeetingBaas "
            "is not set up (MEETING_BAAS_API_KEY)."
        )
    return public_address_problem()


# Sending a bot ----------------------------------------------------------------------------


def _absolute(path: str, *, socket: bool = False) -> str:
    base = settings.PUBLIC_BASE_URL
    if socket:
        base = "ws" + base.removeprefix("http")
    return f"{base}{path}"


def _request(
    session: Session, bot: MeetingBot, stream: str, callback: str
) -> meetingbaas.BotRequest:
    persona = session.persona
    image = persona.image if persona.image.startswith("https://") else ""
    return meetingbaas.BotRequest(
        meeting_url=session.meeting_url,
        bot_name=persona.name,
        input_url=_absolute(f"/ws/bots/{stream}/input/", socket=True),
        output_url=_absolute(f"/ws/bots/{stream}/output/", socket=True),
        callback_url=_absolute(reverse("meeting_bot_callback", args=[bot.reference])),
        callback_secret=callback,
        reference=bot.reference,
        bot_image=image,
        entry_message=persona.entry_message,
        extra={"session": session.public_id},
    )


def _prepare(session: Session) -> tuple[MeetingBot, str, str]:
    """A bot row on its way (launching), unless one already is: two presses, one bot."""
    stream, callback = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        latest = locked.meeting_bots.first()
        if latest is not None and latest.is_present:
            raise SessionError(
                ErrorCode.VALIDATION_ERROR, "The facilitator is already on its way into the call."
            )
        bot = MeetingBot.objects.create(
            session=locked,
            session_public_id=locked.public_id,
            stream_secret_hash=digest(stream),
            callback_secret_hash=digest(callback),
            # Who is who carries over to a bot sent back in.
            speakers=latest.speakers if latest is not None else {},
        )
    return bot, stream, callback


def send(session: Session) -> MeetingBot:
    """Ask MeetingBaas for a bot in the session's call. Refused: the bot is marked failed,
    both people see why (a bot_status event), and SessionError says it to the caller."""
    problem = meetings_off_reason()
    if problem:
        raise SessionError(ErrorCode.PLATFORM_NOT_AVAILABLE, problem)
    bot, stream, callback = _prepare(session)
    api = meetingbaas.client()
    try:
        bot_id = api.create_bot(_request(session, bot, stream, callback))
    except meetingbaas.MeetingBaasError as exc:
        if exc.status is None or exc.status >= 500:
            # No clear answer: MeetingBaas may have made the bot all the same.
            _send_away_unknown(api, bot)
        update(bot.pk, Bot.FAILED, exc.message)
        raise SessionError(
            ErrorCode.PLATFORM_NOT_AVAILABLE, f"The facilitator could not join: {exc.message}"
        ) from exc
    MeetingBot.objects.filter(pk=bot.pk).update(bot_id=bot_id)
    bot.bot_id = bot_id
    if MeetingBot.objects.filter(pk=bot.pk, leave_requested=True).exists():
        # Its session ended while MeetingBaas was answering: away it goes.
        with contextlib.suppress(meetingbaas.MeetingBaasError):  # the poll retries
            send_away(bot.pk, "The session ended.")
        raise SessionError(ErrorCode.SESSION_NOT_IN_PROGRESS)
    return bot


def _send_away_unknown(api: meetingbaas.MeetingBaasClient, bot: MeetingBot) -> None:
    """A refused or unanswered creation may still have made a bot: find it and send it
    away, so none is left in the call."""
    try:
        found = api.find_bot(bot.reference)
        if found:
            MeetingBot.objects.filter(pk=bot.pk).update(bot_id=found)
            api.leave(found)
    except meetingbaas.MeetingBaasError:
        logger.warning("Could not check MeetingBaas for a stray bot %s", bot.reference)


def joined_session(bot: MeetingBot) -> None:
    """The session started with this bot: it is on its way in."""
    update(bot.pk, Bot.JOINING)


def send_away(bot_pk: int, reason: str) -> None:
    """Tell a bot to leave (the session ended, or it could not start); safe to repeat."""
    bot = MeetingBot.objects.filter(pk=bot_pk).first()
    if bot is None or not bot.is_present:
        return
    if not bot.bot_id:
        MeetingBot.objects.filter(pk=bot_pk).update(leave_requested=True)
        return  # still being created: whoever creates it sends it away (send)
    MeetingBot.objects.filter(pk=bot_pk).update(leave_requested=True, leave_asked_at=timezone.now())
    try:
        meetingbaas.client().leave(bot.bot_id)
    except meetingbaas.MeetingBaasError as exc:
        logger.warning("MeetingBaas did not take bot %s out: %s", bot.bot_id, exc.message)
        raise
    update(bot_pk, Bot.LEFT, reason)


def send_back(session: Session) -> MeetingBot:
    """Either person sends a new bot in after the last one left or failed."""
    if session.status not in LIVE_STATUSES:
        raise SessionError(ErrorCode.SESSION_NOT_IN_PROGRESS)
    bot = send(session)
    still_live = Session.objects.filter(pk=session.pk, status__in=LIVE_STATUSES).exists()
    if not still_live:
        with contextlib.suppress(meetingbaas.MeetingBaasError):  # the poll retries
            send_away(bot.pk, "The session ended.")
        raise SessionError(ErrorCode.SESSION_NOT_IN_PROGRESS)
    Session.objects.filter(pk=session.pk).update(bot_id=bot.bot_id)
    joined_session(bot)
    return bot


# Status -----------------------------------------------------------------------------------


def _event(bot: MeetingBot) -> dict:
    return {
        "status": bot.status,
        "label": LABELS[Bot(bot.status)],
        "reason": bot.reason,
        "botRef": bot.reference,
    }


def update(bot_pk: int, status: str, reason: str = "", *, refine: bool = False) -> bool:
    """Move a bot forward (never back; left and failed are final) and log it; a bot that
    left or failed on its own pauses its session's facilitation. False when nothing moved.

    `refine`: MeetingBaas' own callback saying why a bot left or failed. A poll may have
    found the bot's final status first, and a status code only says that it failed; the
    callback's words then replace the poll's, so both people read what really happened."""
    with transaction.atomic():
        bot = MeetingBot.objects.select_for_update().filter(pk=bot_pk).first()
        if bot is None:
            return False
        moves = _RANK[Bot(status)] > _RANK[Bot(bot.status)]
        better_words = refine and status == bot.status and reason[:1000] != bot.reason
        if not (moves or better_words):
            return False
        bot.status = status
        bot.reason = reason[:1000]
        now = timezone.now()
        if moves and status == Bot.IN_CALL:
            bot.joined_at = now
        if moves and status in (Bot.LEFT, Bot.FAILED):
            bot.ended_at = now
        bot.save(update_fields=["status", "reason", "joined_at", "ended_at", "updated_at"])
        session = Session.objects.select_for_update().filter(pk=bot.session_id).first()
        if session is None:
            return True
        append_event(session, BOT_STATUS, _event(bot))
        on_its_own = status in (Bot.LEFT, Bot.FAILED) and not bot.leave_requested
        current = session.meeting_bots.values_list("pk", flat=True).first() == bot.pk
        if moves and on_its_own and current and session.status == Status.IN_PROGRESS:
            why = PAUSED_BOT_FAILED if status == Bot.FAILED else PAUSED_BOT_LEFT
            transition(session, Action.PAUSE, reason=why)
    return True


def current(session: Session) -> MeetingBot | None:
    return session.meeting_bots.first()


def poll() -> int:
    """The periodic check of bots not in the call yet (MeetingBaas' callbacks only say
    when a bot is done), of bots told to leave that have not, and of launches that never
    heard back; returns how many bots it asked MeetingBaas about."""
    api = meetingbaas.client()
    asked = 0
    on_the_way = MeetingBot.objects.filter(
        status__in=(Bot.JOINING, Bot.WAITING_ROOM),
        session__status__in=LIVE_STATUSES,
    ).exclude(bot_id="")
    for bot in on_the_way:
        asked += 1
        try:
            state = api.status(bot.bot_id)
        except meetingbaas.MeetingBaasError as exc:
            logger.warning("Could not read the status of bot %s: %s", bot.bot_id, exc.message)
            continue
        update(bot.pk, state.status, state.reason)
    unheard = (
        MeetingBot.objects.filter(
            leave_requested=True, status__in=(Bot.JOINING, Bot.WAITING_ROOM, Bot.IN_CALL)
        )
        .exclude(bot_id="")
        .exclude(leave_asked_at__gt=timezone.now() - LEAVE_ASKED_AGAIN_AFTER)
    )
    for bot in unheard:
        asked += 1
        with contextlib.suppress(meetingbaas.MeetingBaasError):
            send_away(bot.pk, "Diadi asked it to leave.")
    stuck = MeetingBot.objects.filter(
        status=Bot.LAUNCHING, created_at__lt=timezone.now() - LAUNCH_GIVE_UP
    )
    for bot in stuck:
        asked += 1
        _send_away_unknown(api, bot)
        MeetingBot.objects.filter(pk=bot.pk).update(leave_requested=True)
        update(bot.pk, Bot.FAILED, "The facilitator could not be sent into the call.")
    return asked


# Callbacks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackAnswer:
    status: int
    message: str


def callback(reference: str, secret: str, payload: object) -> CallbackAnswer:
    """A callback from MeetingBaas. A wrong or missing secret changes nothing (403); a
    replay finds the bot already moved and changes nothing either (200)."""
    bot = MeetingBot.objects.filter(reference=reference).first()
    if bot is None:
        return CallbackAnswer(404, "No such bot.")
    if not same_secret(secret, bot.callback_secret_hash):
        return CallbackAnswer(403, "Wrong or missing x-mb-secret.")
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        return CallbackAnswer(400, "Expected a JSON object with event and data.")
    event, data = payload.get("event"), payload["data"]
    if bot.bot_id and data.get("bot_id") != bot.bot_id:
        return CallbackAnswer(400, "This callback is about another bot.")
    if event == "bot.completed":
        reason = "Diadi asked it to leave." if bot.leave_requested else "The call ended."
        update(bot.pk, Bot.LEFT, reason)
    elif event == "bot.failed":
        said = data.get("error_message")
        told = isinstance(said, str) and bool(said)
        reason = said if told else "MeetingBaas reported a failure."
        update(bot.pk, Bot.FAILED, reason, refine=told)
    elif event == "bot.status_change" and isinstance(data.get("status"), dict):
        state = meetingbaas.BotState(bot.bot_id, str(data["status"].get("code", "")))
        update(bot.pk, state.status, state.reason)
    return CallbackAnswer(200, "ok")


def present_bots(session_pk: int) -> list[int]:
    return list(
        MeetingBot.objects.filter(
            session_id=session_pk,
            status__in=(Bot.LAUNCHING, Bot.JOINING, Bot.WAITING_ROOM, Bot.IN_CALL),
        ).values_list("pk", flat=True)
    )


def orphans(public_id: str) -> list[int]:
    """Bots whose session was deleted."""
    return list(
        MeetingBot.objects.filter(session__isnull=True, session_public_id=public_id).values_list(
            "pk", flat=True
        )
    )
