"""Every websocket route of Diadi, gathered from the apps that own them, behind the checks
every socket passes."""

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import re_path

from diadi.websocket_origin import SameOriginValidator
from diadi.websocket_session import auth_from_cookies
from facilitation.admission import CLOSE_NOT_FOUND
from facilitation.routing import bot_websocket_urlpatterns
from facilitation.routing import websocket_urlpatterns as facilitation_routes
from summaries.routing import websocket_urlpatterns as summaries_routes


class UnknownRouteConsumer(AsyncWebsocketConsumer):
    """Any other path, a malformed session id included: the socket's "not found" close code
    (an unmatched route would otherwise fail inside the server with 1011)."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


websocket_urlpatterns = [
    *facilitation_routes,
    *summaries_routes,
    re_path(r"", UnknownRouteConsumer.as_asgi()),
]

# Pages of other origins are refused first, then the user is read from the session cookie.
browser_websocket_application = SameOriginValidator(
    auth_from_cookies(URLRouter(websocket_urlpatterns))
)
# A meeting bot is no browser (no cookies, no Origin header): its secret path is its door.
websocket_application = URLRouter(
    [*bot_websocket_urlpatterns, re_path(r"", browser_websocket_application)]
)
