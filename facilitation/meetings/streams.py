"""A meeting bot as its audio sockets see it (facilitation/meetings/consumers.py): found by
its stream secret, in the call once it streams, and the map of the call's speaker names to
the session's two people, kept on the bot's row so every process reads the same."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from facilitation.meetings import speakers
from facilitation.meetings.bots import Bot, digest, same_secret, update
from facilitation.models import MeetingBot
from sessions.models import LIVE_STATUSES, Role, Session, Status


@dataclass(frozen=True)
class StreamBot:
    pk: int
    session_pk: int
    public_id: str
    bot_name: str
    people: tuple[speakers.Person, ...]


def for_stream(secret: str) -> StreamBot | None:
    """The bot whose audio socket presents `secret`, if its session is live."""
    if not secret:
        return None
    bot = (
        MeetingBot.objects.select_related("session", "session__persona")
        .filter(stream_secret_hash=digest(secret))
        .first()
    )
    if bot is None or not same_secret(secret, bot.stream_secret_hash):
        return None
    session = bot.session
    if session is None or session.status not in LIVE_STATUSES or not bot.is_present:
        return None
    people = sorted(session.participants.all(), key=lambda p: p.role != Role.CREATOR)
    return StreamBot(
        pk=bot.pk,
        session_pk=session.pk,
        public_id=session.public_id,
        bot_name=session.persona.name,
        people=tuple(speakers.Person(p.public_id, p.display_name) for p in people),
    )


def streaming(bot: StreamBot) -> None:
    """The bot's call audio reaches Diadi: it is in the call (MeetingBaas streams only
    once the bot is admitted)."""
    update(bot.pk, Bot.IN_CALL)


def speaker_map(bot: StreamBot, present: list[str], speaking: list[str]) -> dict[str, str]:
    """Which participant each meeting name is, extended by one speaker-state frame and kept
    on the bot's row (read fresh, so a swap made anywhere applies at once)."""
    known = MeetingBot.objects.values_list("speakers", flat=True).get(pk=bot.pk)
    mapping = speakers.extend(known, bot.people, present, speaking, ignored=[bot.bot_name])
    if mapping == known:
        return mapping
    with transaction.atomic():
        row = MeetingBot.objects.select_for_update().get(pk=bot.pk)
        mapping = speakers.extend(
            row.speakers, bot.people, present, speaking, ignored=[bot.bot_name]
        )
        row.speakers = mapping
        row.save(update_fields=["speakers", "updated_at"])
    return mapping


def swap_speakers(session: Session) -> None:
    """Inside the caller's transaction (facilitation.services.swap_speakers): the meeting
    names change hands with the labels."""
    first, second = (
        p.public_id
        for p in sorted(session.participants.all(), key=lambda p: p.role != Role.CREATOR)
    )
    for bot in MeetingBot.objects.select_for_update().filter(session=session):
        bot.speakers = speakers.swapped(bot.speakers, first, second)
        bot.save(update_fields=["speakers", "updated_at"])


def may_speak(bot: StreamBot) -> bool:
    """Voice goes into the call only while the facilitator is live (not paused)."""
    return Session.objects.filter(pk=bot.session_pk, status=Status.IN_PROGRESS).exists()
