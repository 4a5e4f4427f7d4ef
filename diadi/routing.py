"""Every websocket route of Diadi, gathered from the apps that own them."""

from facilitation.routing import websocket_urlpatterns as facilitation_routes
from summaries.routing import websocket_urlpatterns as summaries_routes

websocket_urlpatterns = [*facilitation_routes, *summaries_routes]
