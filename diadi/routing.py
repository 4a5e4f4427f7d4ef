"""Every websocket route of Diadi, gathered from the apps that own them."""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from facilitation.consumers import CLOSE_NOT_FOUND
from facilitation.routing import websocket_urlpatterns as facilitation_routes


class UnknownRouteConsumer(AsyncWebsocketConsumer):
    """Any other path, a malformed session id included: the socket's "not found" close code
    (an unmatched route would otherwise fail inside the server with 1011)."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


websocket_urlpatterns = [*facilitation_routes, re_path(r"", UnknownRouteConsumer.as_asgi())]
