"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")
# Django must be set up before the routing imports consumers that import models.
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402
from django.urls import resolve  # noqa: E402

from diadi.handler import BoundedASGIHandler  # noqa: E402

django_asgi_app = BoundedASGIHandler(threads=settings.WEB_THREADS)
# Resolving one address imports every view module: now, not at the first request after a
# deploy (the API's first answer took 0.7 s longer than the next ones).
resolve("/")

from channels.routing import ProtocolTypeRouter  # noqa: E402

from diadi.outbox import ServingLoop  # noqa: E402
from diadi.routing import websocket_application  # noqa: E402
from facilitation.runners import EmbeddedRuntime, mount_with_server  # noqa: E402

# In the embedded default this process also hosts the facilitation runs, on the server's loop.
# Channel-layer sends from request threads are queued to that loop (diadi/outbox.py).
application = ServingLoop(
    EmbeddedRuntime(
        ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
    )
)
mount_with_server()
