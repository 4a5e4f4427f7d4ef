"""Every websocket route of Diadi, gathered from the apps that own them."""

from facilitation.routing import bot_websocket_urlpatterns as bot_routes
from facilitation.routing import websocket_urlpatterns as facilitation_routes

# Browsers: behind the Origin check and the Django session.
websocket_urlpatterns = [*facilitation_routes]
# Machines that authenticate themselves (a meeting bot's secret path): neither applies.
machine_websocket_urlpatterns = [*bot_routes]
