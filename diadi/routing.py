"""Every websocket route of Diadi, gathered from the apps that own them."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import re_path

from facilitation.routing import bot_websocket_urlpatterns as bot_routes
from facilitation.routing import websocket_urlpatterns as facilitation_routes

# Browsers: behind the Origin check and the Django session.
websocket_urlpatterns = [*facilitation_routes]
# Machines that authenticate themselves (a meeting bot's secret path): neither applies.
machine_websocket_urlpatterns = [*bot_routes]


def websocket_application() -> URLRouter:
    return URLRouter(
        [
            *machine_websocket_urlpatterns,
            re_path(
                r"^",
                AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
            ),
        ]
    )
