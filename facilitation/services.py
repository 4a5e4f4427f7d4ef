"""What the rest of Diadi may ask of facilitation: start, pause, resume, end, demo, live room."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from facilitation import store
from facilitation.adapters.meetingbaas import MeetingBaasError
from facilitation.meetings import bots, streams
from facilitation.models import FacilitationRun, MeetingBot, TranscriptSegment
from facilitation.simulation import Script, load_script
from facilitation.sources import (
    SIMULATIONS_DIR,
    browser_source,
    meeting_source,
    simulation_source,
    source_speed,
)
from personas.services import get_active_persona
from sessions import services as sessions
from sessions.errors import ErrorCode, SessionError
from sessions.events import SPEAKERS_SWAPPED, TIME_EXTENDED, append_event
from sessions.meeting_urls import meeting_url_error
from sessions.models import LIVE_STATUSES, Participant, Platform, Session, Status
from sessions.state import Action, transition

SIMULATION_USERNAME = "diadi-simulation"
# "A few more minutes" when the planned time has run out: this many, at most this often.
EXTENSION_MINUTES = 5
MAX_EXTENSIONS = 2


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
    return _start_run(session, by, source or browser_source(), host=host)


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


def demo_playing(now: datetime) -> Q:
    """Demo sessions still playing: live, with a run whose lease is being renewed. One whose
    host stopped (the server was stopped, say) is abandoned until the watchdog revives it."""
    return Q(
        is_demo=True,
        status__in=LIVE_STATUSES,
        facilitation_run__state=FacilitationRun.State.RUNNING,
        facilitation_run__heartbeat_at__gte=now - store.lease_stale_after(),
    )


def _set_aside_abandoned_demos(user: AbstractBaseUser) -> None:
    """Demos left behind (their run stopped, or they never started) end or go to the archive,
    so trying the demo again never piles up sessions that look live or ready."""
    abandoned = (
        Session.objects.filter(creator=user, is_demo=True)
        .filter(status__in=(*LIVE_STATUSES, Status.READY))
        .exclude(demo_playing(timezone.now()))
    )
    for session in abandoned:
        action = Action.ARCHIVE if session.status == Status.READY else Action.END
        with contextlib.suppress(SessionError):  # it moved on by itself meanwhile
            transition(session, action, reason="demo_abandoned")


def demo_script() -> Script:
    return load_script(SIMULATIONS_DIR / settings.DEMO_SCRIPT)


def start_demo(user: AbstractBaseUser) -> Session:
    """The user's demo: the one still playing if there is one, else a new one with a scripted
    partner, already playing, so Diadi shows itself."""
    playing = (
        Session.objects.filter(creator=user)
        .filter(demo_playing(timezone.now()))
        .order_by("-created_at")
        .first()
    )
    if playing is not None:
        return playing
    _set_aside_abandoned_demos(user)
    script = demo_script()
    session = _scripted_session(user, script)
    return start_simulation(session, script, speed=settings.DEMO_SPEED)


def meetings_off_reason() -> str | None:
    """Why this server cannot send a facilitator into Zoom, Meet or Teams calls."""
    return bots.meetings_off_reason()


def can_join_meetings() -> bool:
    """Whether this server can send a facilitator into Zoom, Meet or Teams calls."""
    return meetings_off_reason() is None


# Time. A session runs on its own clock: wall time since the start times the clock rate
# (demos play faster than life). The planned end, the grace period and any extra minutes are
# all on that clock, as the live room's timer is, and are turned into wall time here.


def clock_rate(session: Session) -> float:
    """Session seconds per wall-clock second; 0 for a script played as fast as possible."""
    return session.clock_rate


def planned_seconds(session: Session) -> int:
    """The planned length on the session's clock, with any extra minutes asked for."""
    return session.duration_minutes * 60 + session.extra_seconds


def _wall_time(session: Session, session_seconds: float) -> datetime | None:
    rate = clock_rate(session)
    if session.started_at is None or rate <= 0:
        return None  # not started, or a stepped run: no wall time to speak of
    return session.started_at + timedelta(seconds=session_seconds / rate)


def ends_at(session: Session) -> datetime | None:
    """When the planned time runs out ("time's up"), in wall time."""
    return _wall_time(session, planned_seconds(session))


def closes_at(session: Session) -> datetime | None:
    """When a session whose time is up ends by itself, unless someone asks for more time."""
    return _wall_time(session, planned_seconds(session) + settings.SESSION_GRACE_MINUTES * 60)


def elapsed_seconds(session: Session, now: datetime) -> float:
    """Seconds on the session's clock since it started (0 when the clock is not wall-bound)."""
    return (session.clock_ms(now) or 0) / 1000


def extensions_left(session: Session) -> int:
    return max(0, MAX_EXTENSIONS - session.time_extensions)


def extend_time(session: Session, by: Participant | None) -> Session:
    """A few more minutes, counted from now (or from the planned end if that is later)."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status not in LIVE_STATUSES:
            raise SessionError(ErrorCode.SESSION_NOT_IN_PROGRESS)
        if locked.time_extensions >= MAX_EXTENSIONS:
            raise SessionError(
                ErrorCode.NO_MORE_EXTRA_TIME,
                f"You have already asked for more time {MAX_EXTENSIONS} times.",
            )
        now = timezone.now()
        overrun = int(elapsed_seconds(locked, now)) - locked.duration_minutes * 60
        locked.extra_seconds = max(locked.extra_seconds, overrun) + EXTENSION_MINUTES * 60
        locked.time_extensions += 1
        locked.save(update_fields=["extra_seconds", "time_extensions", "updated_at"])
        finish, close = ends_at(locked), closes_at(locked)
        append_event(
            locked,
            TIME_EXTENDED,
            {
                "minutes": EXTENSION_MINUTES,
                "extraSeconds": locked.extra_seconds,
                "extensionsLeft": extensions_left(locked),
                "endsAt": finish.isoformat() if finish else None,
                "closesAt": close.isoformat() if close else None,
                "participantId": by.public_id if by is not None else None,
            },
        )
    return locked


def _still_overdue(now: datetime) -> Callable[[Session], None]:
    def guard(locked: Session) -> None:
        close = closes_at(locked)
        if close is None or close > now:  # someone asked for more time a moment ago
            raise SessionError(ErrorCode.SESSION_NOT_IN_PROGRESS)

    return guard


def end_overdue_sessions(now: datetime | None = None) -> int:
    """Ends every live session whose time ran out a grace period ago (extra minutes counted);
    returns how many it ended."""
    now = now or timezone.now()
    ended = 0
    live = Session.objects.filter(status__in=LIVE_STATUSES, started_at__isnull=False)
    for session in live:
        close = closes_at(session)
        if close is None or close > now:
            continue
        # Ended or extended by someone else at the same moment: then there is nothing to do.
        with contextlib.suppress(SessionError):
            transition(session, Action.END, reason="time_limit", guard=_still_overdue(now))
            ended += 1
    return ended


# The transcript, for the recap ------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    """One utterance; `text` is empty when only the timing is known (voice activity)."""

    participant_id: str | None
    speaker: str
    start_ms: int
    end_ms: int
    text: str


def transcript_for(session: Session) -> list[TranscriptLine]:
    """Every utterance of the session in order of start, with the speaker's current name."""
    names = {p.pk: (p.public_id, p.display_name) for p in session.participants.all()}
    lines = []
    for segment in TranscriptSegment.objects.filter(session=session).order_by("start_ms", "pk"):
        public_id, name = names.get(segment.participant_id, (None, "Someone"))
        lines.append(
            TranscriptLine(public_id, name, segment.start_ms, segment.end_ms, segment.text)
        )
    return lines


def run_finished(session: Session) -> bool:
    """True once the session's facilitation run has stopped writing to the transcript."""
    return not FacilitationRun.objects.filter(
        session=session, state=FacilitationRun.State.RUNNING
    ).exists()


def delete_transcript(session: Session) -> int:
    deleted, _ = TranscriptSegment.objects.filter(session=session).delete()
    return deleted


def purge_transcripts(ended_before: datetime) -> int:
    """Deletes the transcripts of every session that ended before `ended_before`."""
    deleted, _ = TranscriptSegment.objects.filter(session__ended_at__lt=ended_before).delete()
    return deleted
