"""What the rest of Diadi may ask of sessions: create, invite, consent, find, delete.

Views and other apps call these functions, never the models' internals.
"""

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from personas.models import Persona
from sessions import tokens
from sessions.errors import ErrorCode, SessionError
from sessions.events import (
    AI_STATUS,
    BALANCE_UPDATE,
    INTERVENTION,
    INTERVENTION_ACK,
    PARTICIPANT_STATUS,
    SESSION_STATE,
    SETTINGS_CHANGED,
    append_event,
    broadcast,
)
from sessions.models import (
    WAITING_STATUSES,
    Consent,
    Invitation,
    Participant,
    Platform,
    Role,
    Session,
    SessionEvent,
    Status,
)
from sessions.state import Action, transition

# Browser keys of an invitee without an account: {session public id: secret} in the
# server-side Django session.
BROWSER_KEYS = "diadi_participant_keys"
PRESENCE_TIMEOUT = timedelta(seconds=90)


@dataclass(frozen=True)
class NewSession:
    creator_name: str
    partner_name: str
    relationship_context: str
    goal: str
    persona: Persona
    platform: str = Platform.DIADI
    meeting_url: str = ""
    duration_minutes: int = 30
    scheduled_at: datetime | None = None
    interrupt_authority: bool = True
    direct_inquiry: bool = True
    silence_detection: bool = False
    title: str = ""


def default_title(creator_name: str, partner_name: str) -> str:
    return f"{creator_name} & {partner_name}"[:120]


@transaction.atomic
def create_session(creator: AbstractBaseUser, spec: NewSession) -> tuple[Session, str]:
    """A draft session with both participants and a fresh invitation; returns the raw token."""
    session = _create(creator, spec)
    return session, issue_invitation(session)


@transaction.atomic
def create_demo_session(creator: AbstractBaseUser, spec: NewSession) -> Session:
    """A ready session whose partner is played by a script: nobody is invited."""
    session = _create(creator, spec, is_demo=True)
    invitee = session.participants.get(role=Role.INVITEE)
    invitee.consent = Consent.CONSENTED
    invitee.consented_at = timezone.now()
    invitee.save(update_fields=["consent", "consented_at"])
    return transition(session, Action.CONSENT, by=invitee, reason="demo")


def _create(creator: AbstractBaseUser, spec: NewSession, *, is_demo: bool = False) -> Session:
    session = Session.objects.create(
        is_demo=is_demo,
        creator=creator,
        title=spec.title or default_title(spec.creator_name, spec.partner_name),
        goal=spec.goal,
        relationship_context=spec.relationship_context,
        platform=spec.platform,
        meeting_url=spec.meeting_url,
        duration_minutes=spec.duration_minutes,
        scheduled_at=spec.scheduled_at,
        persona=spec.persona,
        interrupt_authority=spec.interrupt_authority,
        direct_inquiry=spec.direct_inquiry,
        silence_detection=spec.silence_detection,
    )
    # Setting up the session is the creator's consent.
    Participant.objects.create(
        session=session,
        user=creator,
        display_name=spec.creator_name,
        role=Role.CREATOR,
        consent=Consent.CONSENTED,
        consented_at=timezone.now(),
    )
    Participant.objects.create(session=session, display_name=spec.partner_name, role=Role.INVITEE)
    return session


@transaction.atomic
def issue_invitation(session: Session) -> str:
    """A new single-use invite token for `session`; any earlier unused one stops working."""
    if session.status not in WAITING_STATUSES:
        raise SessionError(ErrorCode.SESSION_NOT_AWAITING_CONSENT)
    now = timezone.now()
    session.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    raw = tokens.new_secret()
    Invitation.objects.create(
        session=session,
        token_hash=tokens.digest(raw),
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    return raw


def find_invitation(raw_token: str) -> Invitation | None:
    """The invitation behind a token if it can still be answered, else None (whatever why)."""
    if not raw_token or len(raw_token) > 128:
        return None
    invitation = (
        Invitation.objects.select_related("session", "session__persona", "session__creator")
        .filter(token_hash=tokens.digest(raw_token))
        .first()
    )
    if (
        invitation is None
        or not tokens.matches(raw_token, invitation.token_hash)
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= timezone.now()
        or invitation.session.status not in WAITING_STATUSES
    ):
        return None
    return invitation


def open_invitation(invitation: Invitation) -> None:
    """The invitee is reading the invitation: the session now waits for their consent."""
    if invitation.session.status == Status.DRAFT:
        # If someone answered in between, there is nothing to record.
        with contextlib.suppress(SessionError):
            transition(invitation.session, Action.OPEN_INVITATION, reason="invitation_opened")


def _claim_invitation(raw_token: str, session: Session | None) -> Invitation:
    invitation = find_invitation(raw_token)
    if invitation is None or (session is not None and invitation.session_id != session.pk):
        raise SessionError(ErrorCode.INVALID_INVITE_TOKEN)
    # Single use, even against two simultaneous answers: only one UPDATE can match.
    claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise SessionError(ErrorCode.INVALID_INVITE_TOKEN)
    return invitation


def answer_invitation(
    raw_token: str,
    *,
    consented: bool,
    invitee_name: str,
    user: AbstractBaseUser | None = None,
    session: Session | None = None,
) -> tuple[Session, Participant, str]:
    """Accept or decline. Returns the session, the invitee and a new browser secret.

    `session`, when given, must be the invitation's own session (the API names it in the path).
    """
    with transaction.atomic():
        invitation = _claim_invitation(raw_token, session)
        invitee = Participant.objects.select_for_update().get(
            session=invitation.session, role=Role.INVITEE
        )
        secret = tokens.new_secret()
        if consented:
            invitee.display_name = invitee_name or invitee.display_name
            invitee.consent = Consent.CONSENTED
            invitee.consented_at = timezone.now()
            invitee.browser_secret_hash = tokens.digest(secret)
            if (
                user is not None
                and user.is_authenticated
                and user.pk != invitation.session.creator_id
            ):
                invitee.user = user
        else:
            invitee.consent = Consent.DECLINED
            secret = ""
        invitee.save()
        updated = transition(
            invitation.session,
            Action.CONSENT if consented else Action.DECLINE,
            by=invitee,
            reason="both_consented" if consented else "declined",
        )
        append_event(
            updated,
            PARTICIPANT_STATUS,
            {"participantId": invitee.public_id, "status": invitee.consent},
        )
    return updated, invitee, secret


def remember_browser(browser_session: dict, session: Session, secret: str) -> None:
    keys = dict(browser_session.get(BROWSER_KEYS, {}))
    keys[session.public_id] = secret
    browser_session[BROWSER_KEYS] = keys


def browser_keys(browser_session: Mapping) -> dict[str, str]:
    keys = browser_session.get(BROWSER_KEYS, {}) if browser_session is not None else {}
    return keys if isinstance(keys, dict) else {}


def participant_for(
    session: Session, user: AbstractBaseUser | None, keys: Mapping[str, str]
) -> Participant | None:
    """Who, of this session's two people, is asking; None for everybody else."""
    participants = list(session.participants.all())
    if user is not None and user.is_authenticated:
        for participant in participants:
            if participant.user_id == user.pk:
                return participant
    secret = keys.get(session.public_id)
    if secret:
        for participant in participants:
            if tokens.matches(secret, participant.browser_secret_hash):
                return participant
    return None


def visible_sessions(user: AbstractBaseUser | None, keys: Mapping[str, str]) -> QuerySet[Session]:
    """Candidates the asker may see; participant_for() has the last word per session."""
    query = Q(public_id__in=list(keys)) if keys else Q(pk__in=[])
    if user is not None and user.is_authenticated:
        query |= Q(participants__user=user)
    return Session.objects.filter(query).distinct()


def get_for(
    public_id: str, user: AbstractBaseUser | None, keys: Mapping[str, str]
) -> tuple[Session, Participant]:
    """The session and the asker's participant, or SESSION_NOT_FOUND for anybody else."""
    session = (
        Session.objects.select_related("persona", "creator")
        .prefetch_related("participants")
        .filter(public_id=public_id)
        .first()
    )
    participant = participant_for(session, user, keys) if session else None
    if session is None or participant is None:
        raise SessionError(ErrorCode.SESSION_NOT_FOUND)
    return session, participant


def get_for_page(request: HttpRequest, public_id: str) -> tuple[Session, Participant]:
    """The one door to a session for pages: participants get in, everybody else gets 404."""
    try:
        return get_for(public_id, request.user, browser_keys(request.session))
    except SessionError as exc:
        raise Http404("Session not found") from exc


def claim_browser_participations(user: AbstractBaseUser, keys: Mapping[str, str]) -> int:
    """After sign-up or log-in, attach the sessions this browser joined as a guest."""
    claimed = 0
    for public_id, secret in keys.items():
        for participant in Participant.objects.filter(
            session__public_id=public_id, user__isnull=True
        ).exclude(session__creator=user):
            if tokens.matches(secret, participant.browser_secret_hash):
                participant.user = user
                participant.save(update_fields=["user"])
                claimed += 1
    return claimed


def delete_session(session: Session) -> None:
    """Removes the session and everything hanging off it, for both people."""
    public_id = session.public_id
    session.delete()
    transaction.on_commit(lambda: broadcast_deleted(public_id))


def is_present(participant: Participant) -> bool:
    return (
        participant.connection_count > 0
        and participant.last_seen_at is not None
        and participant.last_seen_at > timezone.now() - PRESENCE_TIMEOUT
    )


def set_presence(participant_pk: int, *, connected: bool) -> None:
    """Count one events socket opening or closing; tell the session when presence flips."""
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant_pk)
        session = Session.objects.select_for_update().get(pk=participant.session_id)
        was_present = is_present(participant)
        delta = 1 if connected else -1
        participant.connection_count = max(0, participant.connection_count + delta)
        participant.last_seen_at = timezone.now()
        participant.save(update_fields=["connection_count", "last_seen_at"])
        now_present = is_present(participant)
        if was_present != now_present:
            status = "joined" if now_present else "disconnected"
            append_event(
                session,
                PARTICIPANT_STATUS,
                {"participantId": participant.public_id, "status": status},
            )


def touch_presence(participant_pk: int) -> None:
    Participant.objects.filter(pk=participant_pk).update(last_seen_at=timezone.now())


def latest_events(session: Session, count: int = 50) -> list[SessionEvent]:
    return list(reversed(session.events.order_by("-seq")[:count]))


def broadcast_deleted(public_id: str) -> None:
    """The log is gone with the session; tell open pages directly so they can leave."""
    broadcast(public_id, {"type": SESSION_STATE, "data": {"status": "deleted"}, "seq": None})


# Live-room settings a participant may change over the events socket, by their wire name.
LIVE_SETTINGS = {
    "sentimentDetection": "sentiment_detection",
    "tensionMonitoring": "tension_monitoring",
    "facilitatedPrompts": "facilitated_prompts",
}
ACK_ACTIONS = ("dismissed", "followed")


def live_settings(session: Session) -> dict[str, bool]:
    return {wire: getattr(session, field) for wire, field in LIVE_SETTINGS.items()}


def update_live_settings(session_pk: int, participant: Participant, changes: dict) -> SessionEvent:
    """Persist new live-room settings (validated by the caller) and tell everyone."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_pk)
        for wire, value in changes.items():
            setattr(session, LIVE_SETTINGS[wire], value)
        session.save(update_fields=[LIVE_SETTINGS[wire] for wire in changes])
        return append_event(
            session,
            SETTINGS_CHANGED,
            {**live_settings(session), "participantId": participant.public_id},
        )


def acknowledge_intervention(
    session_pk: int, participant: Participant, intervention_id: str, action: str
) -> SessionEvent | None:
    """Record what a person did with a prompt; None if the session never showed that prompt."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_pk)
        if not session.events.filter(type=INTERVENTION, data__id=intervention_id).exists():
            return None
        return append_event(
            session,
            INTERVENTION_ACK,
            {
                "interventionId": intervention_id,
                "action": action,
                "participantId": participant.public_id,
            },
        )


def snapshot(session: Session) -> dict[str, object]:
    """The initial session_state a socket receives: enough to draw the room from scratch."""
    participants = list(session.participants.all())
    balance = (
        session.events.filter(type=BALANCE_UPDATE).order_by("-seq").values_list("data", flat=True)
    )
    return {
        "status": session.status,
        "lastSeq": session.last_event_seq,
        "participants": [
            {
                "id": p.public_id,
                "name": p.display_name,
                "role": p.role,
                "consent": p.consent,
                "present": is_present(p),
            }
            for p in participants
        ],
        "settings": live_settings(session),
        "durationMinutes": session.duration_minutes,
        "startedAt": session.started_at.isoformat() if session.started_at else None,
        "balance": balance.first(),
    }


def latest_ai_status(session: Session) -> str:
    latest = (
        session.events.filter(type=AI_STATUS)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    return latest.get("status", "listening") if latest else "listening"
