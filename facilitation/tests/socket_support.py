"""Opening a session's websockets in tests as a browser would: signed in as `user`, or with
the browser keys an invitation gave (None for neither)."""

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from facilitation.routing import websocket_urlpatterns
from sessions.services.access import BROWSER_KEYS

app = URLRouter(websocket_urlpatterns)


async def open_socket(path: str, *, user=None, keys=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, path)
    communicator.scope["user"] = user or AnonymousUser()
    communicator.scope["session"] = {BROWSER_KEYS: keys} if keys else {}
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def close_code(communicator: WebsocketCommunicator) -> int:
    """The code the server closed with, skipping whatever it sent before."""
    while True:
        output = await communicator.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output["code"]
