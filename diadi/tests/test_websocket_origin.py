"""Websockets open only from Diadi's own pages: same scheme, host and port, or an origin the
settings trust. Browsers send cookies with any page's handshake; this is what stops another
site acting as the signed-in person."""

import pytest
from channels.testing import WebsocketCommunicator

from diadi.routing import websocket_application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db]

PATH = "/ws/sessions/AAAAAAAAAAAAAAAAAAAAAA/events/"


async def _handshake(origin, host="127.0.0.1:8000", **headers):
    sent = [(b"host", host.encode())]
    if origin is not None:
        sent.append((b"origin", origin.encode()))
    sent += [(name.encode(), value.encode()) for name, value in headers.items()]
    communicator = WebsocketCommunicator(websocket_application, PATH, headers=sent)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


async def test_a_page_of_the_same_origin_may_connect():
    # A browser on http://127.0.0.1:8000, and the tests' live server on its own port.
    assert await _handshake("http://127.0.0.1:8000")
    assert await _handshake("http://127.0.0.1:54321", host="127.0.0.1:54321")
    assert await _handshake("http://localhost", host="localhost")


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another port is another site
        "https://127.0.0.1:8000",  # so is another scheme
        "http://127.0.0.1",
        "http://evil.example:8000",
        "null",  # sandboxed frames and file: pages
        "",
        None,
    ],
)
async def test_other_origins_are_refused(origin):
    assert not await _handshake(origin)


async def test_a_host_outside_allowed_hosts_is_refused():
    assert not await _handshake("http://evil.example", host="evil.example")


async def test_behind_a_tls_proxy_the_origin_is_https(settings):
    settings.ALLOWED_HOSTS = ["diadi.example.com"]
    proxied = {"x-forwarded-proto": "https"}
    assert await _handshake("https://diadi.example.com", host="diadi.example.com", **proxied)
    assert not await _handshake("http://diadi.example.com", host="diadi.example.com", **proxied)


async def test_the_public_base_url_and_trusted_origins_are_allowed(settings):
    settings.ALLOWED_HOSTS = ["10.0.0.5"]
    settings.PUBLIC_BASE_URL = "https://diadi.example.com"
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.partner.example"]
    internal = "10.0.0.5:8000"  # a proxy that does not pass the public Host on
    assert await _handshake("https://diadi.example.com", host=internal)
    assert await _handshake("https://app.partner.example", host=internal)
    assert not await _handshake("https://diadi.example.com:8443", host=internal)
    assert not await _handshake("http://app.partner.example", host=internal)
    assert not await _handshake("https://partner.example.evil", host=internal)
