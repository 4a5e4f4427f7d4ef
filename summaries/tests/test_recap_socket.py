"""The recap socket: only the two people; it says the recap's version and when it changed."""

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from facilitation.tests.test_events_consumer import _close_code
from summaries import services
from summaries.models import Agreement
from summaries.routing import websocket_urlpatterns
from summaries.tests.conftest import made, people, queued

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

app = URLRouter(websocket_urlpatterns)


async def _connect(session, user=None):
    communicator = WebsocketCommunicator(app, f"/ws/sessions/{session.public_id}/recap/")
    communicator.scope["user"] = user or AnonymousUser()
    communicator.scope["session"] = {}
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def recap(talked):
    session = talked()
    made(session)  # queued by the hook when the session ended (this test commits)
    return session


async def test_others_are_turned_away(recap, outsider):
    assert await _close_code(await _connect(recap)) == 4001
    assert await _close_code(await _connect(recap, outsider)) == 4004


async def test_it_says_the_version_then_each_change(recap, creator, invitee_user):
    summary = await sync_to_async(queued)(recap)
    communicator = await _connect(recap, creator)
    first = await communicator.receive_json_from(timeout=3)
    version = f"{summary.pk}.{summary.version}"
    assert first == {"type": "recap_version", "data": {"version": version}}

    agreement = await Agreement.objects.aget(summary=summary)
    _, david = await sync_to_async(people)(recap)
    await sync_to_async(services.confirm)(recap, services.AGREEMENTS, agreement.pk, david)
    changed = await communicator.receive_json_from(timeout=3)
    assert changed["type"] == "recap_updated"
    newer = f"{summary.pk}.{summary.version + 1}"
    assert changed["data"] == {"part": "agreements", "version": newer}

    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=3))["data"]["version"] == newer
    await communicator.send_to(text_data="not json")  # ignored, never an error
    await communicator.disconnect()


async def test_a_deleted_recap_is_announced(recap, invitee_user):
    communicator = await _connect(recap, invitee_user)
    await communicator.receive_json_from(timeout=3)
    _, david = await sync_to_async(people)(recap)
    await sync_to_async(services.delete_recap)(recap, david)
    message = await communicator.receive_json_from(timeout=3)
    assert message["data"]["version"] == "none"
    await communicator.disconnect()
