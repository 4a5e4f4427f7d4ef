"""Creating a session and inviting the other person: the link, its answer, their consent."""

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from facilitation.engine import DEFAULT_TOGGLES, SWITCHES, Toggles
from personas.models import Persona
from sessions import tokens
from sessions.errors import ErrorCode, SessionError
from sessions.events import PARTICIPANT_STATUS, append_event
from sessions.models import (
    WAITING_STATUSES,
    Consent,
    Invitation,
    Participant,
    Platform,
    Role,
    Session,
    Status,
)
from sessions.state import Action, transition


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
    toggles: Toggles = DEFAULT_TOGGLES
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
        **{switch.name: getattr(spec.toggles, switch.name) for switch in SWITCHES},
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


def issue_invitation(session: Session) -> str:
    """A new single-use invite token for `session`; any earlier unused one stops working.

    Under the session's row lock, which an answer takes too: a new link and an acceptance
    racing each other cannot both succeed, and the loser hears what happened.
    """
    with transaction.atomic():
        locked = Session.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None:
            raise SessionError(ErrorCode.SESSION_NOT_FOUND)
        if locked.status not in WAITING_STATUSES:
            raise SessionError(ErrorCode.SESSION_NOT_AWAITING_CONSENT, _answered(locked))
        now = timezone.now()
        locked.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        raw = tokens.new_secret()
        Invitation.objects.create(
            session=locked,
            token_hash=tokens.digest(raw),
            expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
    return raw


def _answered(session: Session) -> str | None:
    invitee = session.participants.get(role=Role.INVITEE)
    if invitee.consent == Consent.CONSENTED:
        return f"{invitee.display_name} has accepted the invitation: no new link is needed."
    if invitee.consent == Consent.DECLINED:
        return f"{invitee.display_name} declined the invitation: there is nothing to send."
    return None


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


def _claim_invitation(
    raw_token: str, session: Session | None, user: AbstractBaseUser | None
) -> Invitation:
    invitation = find_invitation(raw_token)
    if invitation is None or (session is not None and invitation.session_id != session.pk):
        raise SessionError(ErrorCode.INVALID_INVITE_TOKEN)
    if user is not None and user.is_authenticated and user.pk == invitation.session.creator_id:
        # Refused before the token is spent: it stays the partner's to use.
        raise SessionError(ErrorCode.OWN_INVITATION)
    # The row lock a new link takes too (issue_invitation); then single use, even against two
    # simultaneous answers: only one UPDATE can match, and none once the link was replaced.
    Session.objects.select_for_update().filter(pk=invitation.session_id).first()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now())
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
        invitation = _claim_invitation(raw_token, session, user)
        invitee = Participant.objects.select_for_update().get(
            session=invitation.session, role=Role.INVITEE
        )
        secret = tokens.new_secret()
        if consented:
            invitee.display_name = invitee_name or invitee.display_name
            invitee.consent = Consent.CONSENTED
            invitee.consented_at = timezone.now()
            invitee.browser_secret_hash = tokens.digest(secret)
            if user is not None and user.is_authenticated:
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
