"""A socket knows who opened it from the browser's session cookie, as a page does: the
signed-in person, or the browser an invitation let in; anybody else is refused."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from diadi.routing import websocket_application
from diadi.session_store import SessionStore
from sessions import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _open(public_id: str, cookie: str | None) -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    path = f"/ws/sessions/{public_id}/events/"
    communicator = WebsocketCommunicator(websocket_application, path, headers=headers)
    assert (await communicator.connect())[0]
    return communicator


async def _first(communicator: WebsocketCommunicator) -> dict:
    output = await communicator.receive_output(timeout=3)
    await communicator.disconnect()
    return output


def _signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _invited_browser(token: str) -> str:
    """The cookie of a browser, with no account, in which David answered the invitation."""
    session, _, secret = services.answer_invitation(token, consented=True, invitee_name="David")
    store = SessionStore()
    services.remember_browser(store, session, secret)
    store.save()
    return store.session_key


async def test_the_signed_in_creator_is_let_in(make_session, creator):
    session, _ = await sync_to_async(make_session)()
    cookie = await sync_to_async(_signed_in)(creator)
    first = await _first(await _open(session.public_id, cookie))
    assert first["type"] == "websocket.send" and '"session_state"' in first["text"]


async def test_the_browser_an_invitation_let_in_is_let_in(make_session):
    session, token = await sync_to_async(make_session)()
    cookie = await sync_to_async(_invited_browser)(token)
    first = await _first(await _open(session.public_id, cookie))
    assert first["type"] == "websocket.send" and '"session_state"' in first["text"]


async def test_a_browser_without_a_session_or_with_a_made_up_one_is_refused(make_session, creator):
    session, _ = await sync_to_async(make_session)()
    for cookie in (None, "made-up-session-key"):
        first = await _first(await _open(session.public_id, cookie))
        assert first == {"type": "websocket.close", "code": 4001}


async def test_someone_signed_in_who_is_not_in_the_session_is_refused(make_session, outsider):
    session, _ = await sync_to_async(make_session)()
    cookie = await sync_to_async(_signed_in)(outsider)
    first = await _first(await _open(session.public_id, cookie))
    assert first == {"type": "websocket.close", "code": 4004}
