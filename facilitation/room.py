"""What the live room shows when it is drawn: timer, balance, the facilitator's card, prompts.

Live updates then come from the events socket (static/js/live-room.js); every sentence the
script also writes is in LABELS, so the page and the script never word things differently.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from facilitation import adapters, call, services
from facilitation.engine import LIVE_SWITCHES, Thresholds
from sessions import services as sessions
from sessions.events import INTERVENTION, INTERVENTION_ACK, PARTICIPANT_STATUS, SESSION_STATE
from sessions.models import Participant, Platform, Session, Status

HISTORY_LENGTH = 3
AI_LABELS = {
    "listening": "Listening",
    "preparing": "Preparing a prompt",
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
ACK_LABELS = {"followed": "{name}: we'll try that", "dismissed": "{name} set it aside"}
# What the facilitator is doing, and why: {minutes}, {name}, {at} and {message} are filled in
# ({at}: when on the session's clock, which never goes stale, unlike "2 min ago").
AI_DETAILS = {
    "quiet_start": "It stays quiet for the first {minutes} minutes, so you can settle in.",
    "no_prompt": "No prompt so far: nothing has needed one.",
    "last_prompt": "Last prompt at {at}: “{message}”",
    "preparing": "A prompt is ready. It waits until nobody is speaking.",
    "intervening": "Showing a prompt to both of you.",
    "paused": "Paused by {name}. It hears nothing and keeps nothing until one of you resumes.",
    "paused_anonymous": "Paused. It hears nothing and keeps nothing until one of you resumes.",
}

# The call card, by its data-call-state; {name} is the other person.
CALL_LABELS = {
    "idle": "Join with your microphone to hear {name} and be heard.",
    "waiting": "{name} has not joined with their microphone yet: the call starts when they do.",
    "left": "{name} left the call: it starts again when they join with their microphone.",
    "connecting": "Connecting you to {name}…",
    "connected": "Connected: you can hear each other.",
    "reconnecting": "The call dropped. Reconnecting…",
    "failed": (
        "Could not connect directly to {name}: your network may need a TURN server. "
        "Diadi still hears you both through your microphones."
    ),
    "no_microphone": "Your microphone could not be used for the call. Diadi still hears you.",
}
# What a person's microphone status says about muting (the run's participant_status events).
MICROPHONE_STATES = ("muted", "listening", "speaking", "disconnected")


def _quiet_start_ms() -> int:
    return Thresholds(**settings.FACILITATION_THRESHOLDS).quiet_start_ms


def _clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def ago(seconds: float) -> str:
    """How long ago, on the session's clock, in the words the script also uses."""
    minutes = int(max(0.0, seconds) // 60)
    if minutes == 0:
        return "just now"
    return "1 min ago" if minutes == 1 else f"{minutes} min ago"


def voice_note(session: Session) -> tuple[bool, str]:
    """Whether prompts may be spoken out loud in this session, and if not, why."""
    if not session.interrupt_authority:
        return False, "Voice off: you chose prompts on screen only."
    return _service_note(
        adapters.VOICE,
        "Voice",
        on="a prompt may also be spoken out loud.",
        cannot="speak yet, so prompts are shown on screen only.",
    )


def captions_note() -> tuple[bool, str]:
    return _service_note(
        adapters.TRANSCRIPTION,
        "Captions",
        on="what you say appears below as you talk.",
        cannot="transcribe yet; talk balance comes from who speaks when, not from words.",
    )


def _service_note(
    service: adapters.Service, subject: str, *, on: str, cannot: str
) -> tuple[bool, str]:
    if service.available:
        return True, f"{subject} on: {on}"
    if not service.built:
        return False, f"{subject} off: this server cannot {cannot}"
    return False, f"{subject} off: {service.name} is not set up here ({service.key_setting})."


def _prompts(session: Session, names: dict[str, str], elapsed: float) -> tuple[dict | None, list]:
    """The prompt still waiting for an answer (if any) and the few before it, newest first."""
    events = list(session.events.filter(type=INTERVENTION).order_by("-seq")[: HISTORY_LENGTH + 1])
    ids = [event.data.get("id") for event in events]
    acks = {
        ack["interventionId"]: ack
        for ack in session.events.filter(type=INTERVENTION_ACK, data__interventionId__in=ids)
        .order_by("seq")
        .values_list("data", flat=True)
    }
    last_pause = (
        session.events.filter(type=SESSION_STATE, data__status=Status.PAUSED)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    ) or 0
    shown = []
    for event in events:
        data = event.data
        ack = acks.get(data.get("id"))
        at = (event.at_ms or 0) / 1000
        shown.append(
            {
                "id": data.get("id"),
                "kind": KIND_LABELS.get(data.get("type"), "Facilitator"),
                "message": data.get("message", ""),
                "spoken": data.get("spoken") is True,
                "at": at,
                "ago": ago(elapsed - at),
                "ack": ACK_LABELS[ack["action"]].format(name=names.get(ack["participantId"], ""))
                if ack and ack.get("action") in ACK_LABELS
                else "",
                "open": ack is None and event.seq > last_pause,
            }
        )
    current = (
        shown[0] if shown and shown[0]["open"] and session.status == Status.IN_PROGRESS else None
    )
    history = [prompt for prompt in shown if prompt is not current][:HISTORY_LENGTH]
    return current, history


def _ai_detail(
    session: Session, status: str, last: dict | None, names: dict[str, str], elapsed: float
) -> str:
    if status == "paused":
        by = (
            session.events.filter(type=SESSION_STATE, data__status=Status.PAUSED)
            .order_by("-seq")
            .values_list("data", flat=True)
            .first()
            or {}
        )
        name = names.get(by.get("participantId", ""))
        return AI_DETAILS["paused"].format(name=name) if name else AI_DETAILS["paused_anonymous"]
    if status in ("preparing", "intervening"):
        return AI_DETAILS[status]
    if last is not None:
        return AI_DETAILS["last_prompt"].format(at=_clock(last["at"]), message=last["message"])
    quiet_ms = _quiet_start_ms()
    if elapsed * 1000 < quiet_ms:
        return AI_DETAILS["quiet_start"].format(minutes=quiet_ms // 60_000)
    return AI_DETAILS["no_prompt"]


def _timer(session: Session, now: datetime) -> dict[str, object]:
    finish, close = services.ends_at(session), services.closes_at(session)
    rate = services.clock_rate(session)
    planned = services.planned_seconds(session)
    remaining = planned - services.elapsed_seconds(session, now) if session.started_at else planned
    time_up = session.is_live and finish is not None and remaining <= 0
    grace_left = (close - now).total_seconds() * rate if close is not None and time_up else 0
    return {
        "ends_at": finish.isoformat() if finish else "",
        "closes_at": close.isoformat() if close else "",
        "server_now": now.isoformat(),
        "clock_rate": rate,
        "remaining_label": _clock(remaining),
        "planned_minutes": round(planned / 60),
        "duration_seconds": session.duration_minutes * 60,
        "time_up": time_up,
        "grace_label": _clock(grace_left),
        "grace_minutes": settings.SESSION_GRACE_MINUTES,
        "extensions_left": services.extensions_left(session),
        "extension_minutes": services.EXTENSION_MINUTES,
        "quiet_start_ms": _quiet_start_ms(),
    }


def _muted(session: Session, people: list[dict]) -> list[str]:
    """Who has their microphone muted right now, by the latest word of the run."""
    muted = []
    for person in people:
        latest = (
            session.events.filter(
                type=PARTICIPANT_STATUS,
                data__participantId=person["id"],
                data__status__in=MICROPHONE_STATES,
            )
            .order_by("-seq")
            .values_list("data", flat=True)
            .first()
        )
        if latest and latest["status"] == "muted":
            muted.append(person["id"])
    return muted


def live_room_context(session: Session, you: Participant) -> dict[str, object]:
    state = sessions.snapshot(session)
    people = state["participants"]
    names = {person["id"]: person["name"] for person in people}
    balance = state["balance"] or {
        "participantA": {"id": people[0]["id"], "name": people[0]["name"], "percentage": 50},
        "participantB": {"id": people[1]["id"], "name": people[1]["name"], "percentage": 50},
        "status": "balanced",
    }
    now = timezone.now()
    elapsed = services.elapsed_seconds(session, now)
    ai_status = "paused" if session.status == Status.PAUSED else sessions.latest_ai_status(session)
    current, history = _prompts(session, names, elapsed)
    last = current or (history[0] if history else None)
    voice_on, voice = voice_note(session)
    captions_on, captions = captions_note()
    browser_room = session.platform == Platform.DIADI and not session.is_demo
    # The other person, from the snapshot's people (no second query).
    partner_name = next((p["name"] for p in people if p["id"] != you.public_id), "")
    return {
        "session": session,
        "you": you,
        "last_seq": state["lastSeq"],
        "balance": balance,
        "balance_people": [("a", balance["participantA"]), ("b", balance["participantB"])],
        "balance_label": BALANCE_LABELS.get(balance["status"], balance["status"]),
        "ai_status": ai_status,
        "ai_label": AI_LABELS[ai_status],
        "ai_detail": _ai_detail(session, ai_status, last, names, elapsed),
        "current_prompt": current,
        "history": history,
        "voice_on": voice_on,
        "voice_note": voice,
        "captions_on": captions_on,
        "captions_note": captions,
        "browser_room": browser_room,
        "muted": _muted(session, people),
        "partner_name": partner_name,
        "call_config": call.page_config() if browser_room else None,
        "call_idle": CALL_LABELS["idle"].format(name=partner_name),
        "meeting": (
            services.meeting_bot_context(session, you)
            if session.platform != Platform.DIADI
            else None
        ),
        "settings_list": [
            {"key": s.wire, "label": s.label, "help": s.help, "on": state["settings"][s.wire]}
            for s in LIVE_SWITCHES
        ],
        **_timer(session, now),
        "labels": {
            "ai": AI_LABELS,
            "aiDetails": AI_DETAILS,
            "balance": BALANCE_LABELS,
            "kinds": KIND_LABELS,
            "acks": ACK_LABELS,
            "call": CALL_LABELS,
            "names": names,
        },
    }
