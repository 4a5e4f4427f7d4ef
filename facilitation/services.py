"""What the rest of Diadi may ask of facilitation: start, pause, resume, end, demo, live room."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from facilitation import store
from facilitation.adapters.meetingbaas import MeetingBaasError
from facilitation.engine import LIVE_SWITCHES
from facilitation.meetings import bots, streams
from facilitation.models import MeetingBot, TranscriptSegment
from facilitation.simulation import Script, load_script
from facilitation.sources import (
    SIMULATIONS_DIR,
    idle_source,
    meeting_source,
    simulation_source,
    source_speed,
)
from personas.services import get_active_persona
from sessions import services as sessions
from sessions.errors import ErrorCode, SessionError
from sessions.events import SPEAKERS_SWAPPED, append_event
from sessions.meeting_urls import meeting_url_error
from sessions.models import LIVE_STATUSES, Participant, Platform, Session, Status
from sessions.state import Action, transition

PROMPT_SECONDS = 20
SIMULATION_USERNAME = "diadi-simulation"
AI_LABELS = {
    "listening": "Listening",
    "preparing": "Preparing a prompt, waiting for a pause",
    "intervening": "Prompting",
    "paused": "Paused: not listening",
}
BALANCE_LABELS = {
    "balanced": "Balanced",
    "mild_imbalance": "A little one-sided",
    "severe_imbalance": "One-sided",
}
KIND_LABELS = {
    "balance": "Balance",
    "silence": "Silence",
    "goal_drift": "Back to your goal",
    "time_warning": "Time",
    "escalation": "Slow down",
    "icebreaker": "To begin",
}


def _check_can_start(session: Session, meeting_url: str | None) -> None:
    if not all(p.consented for p in session.participants.all()):
        raise SessionError(ErrorCode.SESSION_NOT_READY, "Both of you must consent before starting")
    if session.platform == Platform.DIADI:
        return
    url = meeting_url if meeting_url is not None else session.meeting_url
    error = meeting_url_error(session.platform, url or "")
    if error:
        raise SessionError(ErrorCode.INVALID_MEETING_URL, error)
    off = bots.meetings_off_reason()
    if off:
        raise SessionError(ErrorCode.PLATFORM_NOT_AVAILABLE, off)


def start(
    session: Session,
    by: Participant | None,
    *,
    meeting_url: str | None = None,
    source: dict | None = None,
    host: str = "",
) -> Session:
    """Start the session and record its run, handed out to a run host once this commits
    (facilitation/hooks.py), or already held by `host`; refuses with the spec's codes.

    A Zoom, Meet or Teams session sends its facilitator bot in first and starts only once
    MeetingBaas took it: a bot that cannot be sent leaves the session ready, with the
    reason shown to both; a session that then cannot start sends its bot away."""
    if session.status != Status.READY:
        raise SessionError(ErrorCode.SESSION_NOT_READY)
    _check_can_start(session, meeting_url)
    if source is None and session.platform != Platform.DIADI:
        return _start_in_call(session, by, meeting_url)
    return _start_run(session, by, source or idle_source(), host=host)


def _start_run(
    session: Session, by: Participant | None, source: dict, *, host: str = "", bot_id: str = ""
) -> Session:
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(clock_rate=source_speed(source))
        started = transition(session, Action.START, by=by, reason="started", at_ms=0)
        run = store.create_run(started, source, host=host)
        started.client_id = f"run_{run.pk}"
        started.bot_id = bot_id
        started.save(update_fields=["client_id", "bot_id"])
    return started


def _start_in_call(session: Session, by: Participant | None, meeting_url: str | None) -> Session:
    if meeting_url is not None and meeting_url != session.meeting_url:
        Session.objects.filter(pk=session.pk, status=Status.READY).update(meeting_url=meeting_url)
        session.meeting_url = meeting_url
    bot = bots.send(session)
    try:
        started = _start_run(session, by, meeting_source(), bot_id=bot.bot_id)
    except BaseException:
        with contextlib.suppress(MeetingBaasError):
            bots.send_away(bot.pk, "The session did not start.")
        raise
    bots.joined_session(bot)
    return started


def pause(session: Session, by: Participant | None) -> Session:
    return transition(session, Action.PAUSE, by=by, reason="kill_switch_activated")


def resume(session: Session, by: Participant | None) -> Session:
    return transition(session, Action.RESUME, by=by, reason="resumed")


def end(session: Session, by: Participant | None) -> Session:
    return transition(session, Action.END, by=by, reason="ended_by_participant")


def swap_speakers(session: Session, by: Participant) -> Session:
    """A meeting's speaker labels were the wrong way round: who said what so far changes
    hands (the kept speech here, the balance in the session's run, which hears of it)."""
    if session.platform == Platform.DIADI:
        raise SessionError(
            ErrorCode.VALIDATION_ERROR,
            "In the browser room each of you has your own microphone: there is nothing to swap.",
        )
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status not in LIVE_STATUSES:
            raise SessionError(ErrorCode.SESSION_NOT_IN_PROGRESS)
        first, second = locked.participants.values_list("pk", flat=True)
        TranscriptSegment.objects.filter(session=locked, participant__in=(first, second)).update(
            participant=Case(When(participant=first, then=Value(second)), default=Value(first))
        )
        streams.swap_speakers(locked)
        append_event(locked, SPEAKERS_SWAPPED, {"participantId": by.public_id})
    return locked


def send_bot_back(session: Session, by: Participant) -> MeetingBot:
    """The facilitator bot left or failed: either person sends a new one into the call."""
    if session.platform == Platform.DIADI:
        raise SessionError(ErrorCode.VALIDATION_ERROR, "This session has no call to join.")
    return bots.send_back(session)


BOT_ACTIONS = {MeetingBot.Status.LEFT, MeetingBot.Status.FAILED}


def meeting_bot_context(session: Session, you: Participant) -> dict[str, object]:
    """The live room's card about the facilitator in the call."""
    bot = bots.current(session)
    return {
        "session": session,
        "you": you,
        "bot": bot,
        "bot_label": bots.LABELS[MeetingBot.Status(bot.status)] if bot else "",
        "bot_gone": bot is not None and bot.status in BOT_ACTIONS,
        "can_send_back": session.is_live and (bot is None or bot.status in BOT_ACTIONS),
        "meetings_off": bots.meetings_off_reason(),
    }


def meetings_off_reason() -> str | None:
    """Why this server cannot send a facilitator into Zoom, Meet or Teams calls."""
    return bots.meetings_off_reason()


def meeting_notice(session: Session) -> dict[str, str] | None:
    """What the session page says about the call: meetings are off on this server, or the
    last bot could not join (the session stayed ready)."""
    if session.platform == Platform.DIADI:
        return None
    off = bots.meetings_off_reason()
    if off and session.status in (Status.DRAFT, Status.PENDING_CONSENT, Status.READY):
        return {"kind": "off", "message": off}
    bot = bots.current(session)
    if bot is not None and session.status == Status.READY and bot.status in BOT_ACTIONS:
        return {"kind": "failed", "message": bot.reason or bots.LABELS[bot.status]}
    return None


def start_simulation(session: Session, script: Script, *, speed: float) -> Session:
    """Play a scripted conversation through this session's live path."""
    return start(session, None, source=simulation_source(script, speed=speed))


def _scripted_session(user: AbstractBaseUser, script: Script) -> Session:
    """A ready session whose two people are the script's (the user only watches)."""
    persona = get_active_persona(script.facilitator.persona) or get_active_persona(
        "neutral_mediator"
    )
    if persona is None:
        raise SessionError(
            ErrorCode.SESSION_NOT_READY, "No facilitator persona is available: run seed_personas"
        )
    return sessions.create_demo_session(
        user,
        sessions.NewSession(
            creator_name=script.participants["a"],
            partner_name=script.participants["b"],
            relationship_context="Demo",
            goal=script.goal,
            persona=persona,
            duration_minutes=script.duration_minutes,
            toggles=script.facilitator.toggles,
            title=f"Demo: {script.title}",
        ),
    )


def create_simulation_session(script: Script) -> Session:
    """A ready session for a command-line simulation, owned by an inactive system user."""
    user, _ = get_user_model().objects.get_or_create(
        username=SIMULATION_USERNAME, defaults={"is_active": False, "first_name": "Simulation"}
    )
    return _scripted_session(user, script)


def start_demo(user: AbstractBaseUser) -> Session:
    """A demo session with a scripted partner, already playing, so Diadi shows itself."""
    script = load_script(SIMULATIONS_DIR / settings.DEMO_SCRIPT)
    session = _scripted_session(user, script)
    return start_simulation(session, script, speed=settings.DEMO_SPEED)


def clock_rate(session: Session) -> float:
    # A script played as fast as possible (rate 0) has no wall-clock timer to show.
    return session.clock_rate or 1.0


def ends_at(session: Session) -> datetime | None:
    if session.started_at is None:
        return None
    return session.started_at + timedelta(minutes=session.duration_minutes) / clock_rate(session)


def live_room_context(session: Session, you: Participant) -> dict[str, object]:
    state = sessions.snapshot(session)
    people = state["participants"]
    balance = state["balance"] or {
        "participantA": {"id": people[0]["id"], "name": people[0]["name"], "percentage": 50},
        "participantB": {"id": people[1]["id"], "name": people[1]["name"], "percentage": 50},
        "status": "balanced",
    }
    ai_status = "paused" if session.status == Status.PAUSED else sessions.latest_ai_status(session)
    finish = ends_at(session)
    now = timezone.now()
    remaining = (
        max(0, int((finish - now).total_seconds() * clock_rate(session))) if finish else None
    )
    return {
        "session": session,
        "you": you,
        "last_seq": state["lastSeq"],
        "balance": balance,
        "balance_people": [("a", balance["participantA"]), ("b", balance["participantB"])],
        "balance_label": BALANCE_LABELS.get(balance["status"], balance["status"]),
        "ai_status": ai_status,
        "ai_label": AI_LABELS[ai_status],
        "settings_list": [
            {"key": s.wire, "label": s.label, "help": s.help, "on": state["settings"][s.wire]}
            for s in LIVE_SWITCHES
        ],
        "ends_at": finish.isoformat() if finish else "",
        "server_now": now.isoformat(),
        "remaining_label": (
            f"{remaining // 60}:{remaining % 60:02d}"
            if remaining is not None
            else f"{session.duration_minutes}:00"
        ),
        "prompt_seconds": PROMPT_SECONDS,
        "labels": {"ai": AI_LABELS, "balance": BALANCE_LABELS, "kinds": KIND_LABELS},
        "clock_rate": clock_rate(session),
        "meeting": (
            meeting_bot_context(session, you) if session.platform != Platform.DIADI else None
        ),
    }
