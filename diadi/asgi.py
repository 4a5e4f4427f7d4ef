"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")
# Django must be set up before the routing imports consumers that import models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from diadi.routing import machine_websocket_urlpatterns, websocket_urlpatterns  # noqa: E402
from facilitation.runners import EmbeddedRuntime, mount_with_server  # noqa: E402

# In the embedded default this process also hosts the facilitation runs, on the server's loop.
application = EmbeddedRuntime(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": URLRouter(
                [
                    *machine_websocket_urlpatterns,
                    re_path(
                        r"^",
                        AllowedHostsOriginValidator(
                            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                        ),
                    ),
                ]
            ),
        }
    )
)
mount_with_server()
