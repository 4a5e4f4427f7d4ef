"""The one door to a session for pages: participants get in, everybody else gets 404."""

from django.http import Http404, HttpRequest

from sessions import services
from sessions.errors import SessionError
from sessions.models import Participant, Session


def get_session_for(request: HttpRequest, public_id: str) -> tuple[Session, Participant]:
    try:
        return services.get_for(public_id, request.user, services.browser_keys(request.session))
    except SessionError as exc:
        raise Http404("Session not found") from exc
