"""Who may see a session: its two people, by account or by the browser an invitation let in."""

from collections.abc import Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from sessions import state, tokens
from sessions.errors import ErrorCode, SessionError
from sessions.events import SESSION_STATE, broadcast
from sessions.models import Participant, Session

# Browser keys of an invitee without an account: {session public id: secret} in the
# server-side Django session.
BROWSER_KEYS = "diadi_participant_keys"


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
    try:
        # get(), not first(): a public id is unique, and first() would order by created_at,
        # a good part of the query's cost to build.
        session = (
            Session.objects.select_related("persona")
            .prefetch_related("participants")
            .get(public_id=public_id)
        )
    except Session.DoesNotExist:
        raise SessionError(ErrorCode.SESSION_NOT_FOUND) from None
    participant = participant_for(session, user, keys)
    if participant is None:
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
    """Removes the session and everything hanging off it, for both people.

    The row is locked first: a facilitation run appends its events under the same lock, so
    each of its writes lands before the delete collects the rows, or finds no session after.
    """
    public_id = session.public_id
    with transaction.atomic():
        locked = Session.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None:
            return
        locked.delete()
        state.deleted(public_id)
        transaction.on_commit(lambda: broadcast_deleted(public_id))


def broadcast_deleted(public_id: str) -> None:
    """The log is gone with the session; tell open pages directly so they can leave."""
    broadcast(public_id, {"type": SESSION_STATE, "data": {"status": "deleted"}, "seq": None})
