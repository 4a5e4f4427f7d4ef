"""The browser's session (and so its user) for a websocket, read at the handshake."""

from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware
from django.conf import settings


class SessionFromCookie(BaseMiddleware):
    """Puts the browser's session in the scope, as Channels' SessionMiddleware does, without
    wrapping the socket's every outgoing message.

    Channels' wrapper checks on each message whether the session changed, to save it and set
    its cookie; a websocket can carry no cookie after its handshake, and Diadi's sockets only
    read the session (who is asking, which invitations this browser answered). With a
    thousand sockets open that check was a good part of what each event's delivery cost.
    """

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        # Loaded on first use, which admission does on a database thread.
        return await super().__call__(dict(scope, session=self.store(key)), receive, send)


def auth_from_cookies(inner: Any) -> Any:
    """Cookies, then the session, then the user: Channels' AuthMiddlewareStack, read only."""
    return CookieMiddleware(SessionFromCookie(AuthMiddleware(inner)))
