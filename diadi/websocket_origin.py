"""Which pages may open Diadi's websockets.

A browser sends its cookies with a websocket handshake whatever page opened it, and no CSRF
token rides along: the Origin header is the only sign of who is asking. As Django's own CSRF
check does for forms, a socket is accepted only from its own origin (scheme, host and port of
the request, the host being one of ALLOWED_HOSTS) or from an origin the settings trust
(CSRF_TRUSTED_ORIGINS, PUBLIC_BASE_URL). A page on http://127.0.0.1:8000 opens sockets on
127.0.0.1:8000, its own origin; one on http://127.0.0.1:9999 is another site.
"""

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

Origin = tuple[str, str, int]  # scheme, host, port
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(text: str) -> Origin | None:
    try:
        parts = urlsplit(text.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a port that is not a number, say
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _matches(origin: Origin, trusted: str) -> bool:
    """`trusted` as CSRF_TRUSTED_ORIGINS writes it; https://*.example.com covers subdomains."""
    pattern = parse_origin(trusted)
    if pattern is None:
        return False
    scheme, host, port = pattern
    if (origin[0], origin[2]) != (scheme, port):
        return False
    if host.startswith("*."):
        return origin[1].endswith(host[1:])
    return origin[1] == host


def _is_secure(scope: dict[str, Any], headers: dict[bytes, str]) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    # Behind a TLS proxy, as Django's request.is_secure() decides it.
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, secure_value = proxy_header
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
        return headers.get(header, "").split(",")[0].strip() == secure_value
    return False


def _own_origin(scope: dict[str, Any], headers: dict[bytes, str]) -> Origin | None:
    host = headers.get(b"host", "")
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed_hosts):
        return None
    return parse_origin(f"{'https' if _is_secure(scope, headers) else 'http'}://{host}")


def _trusted_origins() -> Iterable[str]:
    yield from settings.CSRF_TRUSTED_ORIGINS
    if settings.PUBLIC_BASE_URL:
        yield settings.PUBLIC_BASE_URL


def origin_allowed(scope: dict[str, Any]) -> bool:
    headers = {name: value.decode("latin-1") for name, value in scope.get("headers", [])}
    origin = parse_origin(headers.get(b"origin", ""))
    if origin is None:
        return False
    if origin == _own_origin(scope, headers):
        return True
    return any(_matches(origin, trusted) for trusted in _trusted_origins())


class SameOriginValidator:
    """ASGI middleware in front of the websocket routes: other origins are refused before
    the handshake completes (HTTP 403)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
