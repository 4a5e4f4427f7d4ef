"""Who may open a session's websockets, and the close codes that say why not (spec App. C).

Every socket of a session (events, audio) lets in the same people: a logged-in participant,
or the browser an invitation authorised. Anybody else never learns the session exists.
"""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer

from diadi.consumers import on_database
from sessions import services
from sessions.errors import SessionError
from sessions.models import Participant, Session, Status

CLOSE_UNAUTHORIZED = 4001
CLOSE_SESSION_ENDED = 4003
CLOSE_NOT_FOUND = 4004
CLOSED_STATUSES = (Status.ENDED, Status.ARCHIVED)


async def admit(consumer: AsyncWebsocketConsumer) -> tuple[Session, Participant] | None:
    """The session and the participant asking, or None once the socket was closed with
    4001 (nobody signed in, no invitation in this browser) or 4004 (not theirs, or none).
    The socket is accepted first: a close code only reaches a browser on an open socket."""
    await consumer.accept()
    public_id = consumer.scope["url_route"]["kwargs"]["public_id"]
    user = consumer.scope.get("user")
    keys = services.browser_keys(consumer.scope.get("session") or {})
    if (user is None or not user.is_authenticated) and not keys:
        await consumer.close(code=CLOSE_UNAUTHORIZED)
        return None
    try:
        return await on_database(services.get_for)(public_id, user, keys)
    except SessionError:
        await consumer.close(code=CLOSE_NOT_FOUND)
        return None
