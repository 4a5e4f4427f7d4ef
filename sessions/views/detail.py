from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from facilitation import services as facilitation
from sessions import services
from sessions.errors import SessionError
from sessions.events import SESSION_STATE
from sessions.models import Consent, Participant, Platform, Role, Session, Status
from sessions.services.setup import NOT_STARTED
from sessions.state import Action, allowed_actions, transition


def _platform_note(session: Session, you: Participant, partner: Participant) -> str:
    change = services.latest_platform_change(session)
    if change is None or session.platform != Platform.DIADI:
        return ""
    who = "You" if change.data.get("participantId") == you.public_id else partner.display_name
    was = Platform(change.data.get("previousPlatform", Platform.DIADI)).label
    return f"{who} moved this session from {was} to the Diadi browser room."


def _context(session: Session, you: Participant) -> dict[str, object]:
    partner = next(p for p in session.participants.all() if p.pk != you.pk)
    return {
        "session": session,
        "you": you,
        "partner": partner,
        "is_creator": you.role == Role.CREATOR,
        "people": [
            {"participant": p, "is_you": p.pk == you.pk, "present": services.is_present(p)}
            for p in sorted(session.participants.all(), key=lambda p: p.role)
        ],
        "actions": {str(action) for action in allowed_actions(session.status)},
        "declined": partner.consent == Consent.DECLINED or you.consent == Consent.DECLINED,
        "meeting_notice": facilitation.meeting_notice(session),
        # A Zoom / Meet / Teams session this server cannot join: offer the browser room.
        "offer_browser_room": session.needs_meeting_url
        and session.status in NOT_STARTED
        and not facilitation.can_join_meetings(),
        "platform_note": _platform_note(session, you, partner),
        "ended_by_time": session.status == Status.ENDED
        and session.events.filter(
            type=SESSION_STATE, data__status=Status.ENDED, data__reason="time_limit"
        ).exists(),
    }


def session_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = services.get_for_page(request, public_id)
    return render(request, "sessions/detail.html", _context(session, you))


def waiting_room(request: HttpRequest, public_id: str) -> HttpResponse:
    """The people and status part of the session page, re-fetched when an event arrives."""
    session, you = services.get_for_page(request, public_id)
    return render(request, "sessions/detail.html#waiting_room", _context(session, you))


@require_POST
def browser_room(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = services.get_for_page(request, public_id)
    try:
        services.switch_to_browser_room(session, you)
    except SessionError as exc:
        messages.error(request, exc.message)
    return redirect("session_detail", public_id)


@require_POST
def archive(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = services.get_for_page(request, public_id)
    try:
        transition(session, Action.ARCHIVE, by=you, reason="archived_by_participant")
    except SessionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The session was archived.")
    return redirect("session_detail", public_id)


def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    session, _ = services.get_for_page(request, public_id)
    if request.method != "POST":
        return render(request, "sessions/delete.html", {"session": session})
    services.delete_session(session)
    messages.success(request, "The session and everything in it was deleted, for both of you.")
    return redirect("hub" if request.user.is_authenticated else "session_deleted")


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "sessions/deleted.html")
