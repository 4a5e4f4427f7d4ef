from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from facilitation import services as facilitation
from sessions import services
from sessions.errors import SessionError
from sessions.models import Consent, Participant, Role, Session
from sessions.state import Action, allowed_actions, transition


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
    }


def session_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = services.get_for_page(request, public_id)
    return render(request, "sessions/detail.html", _context(session, you))


def waiting_room(request: HttpRequest, public_id: str) -> HttpResponse:
    """The people and status part of the session page, re-fetched when an event arrives."""
    session, you = services.get_for_page(request, public_id)
    return render(request, "sessions/detail.html#waiting_room", _context(session, you))


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
