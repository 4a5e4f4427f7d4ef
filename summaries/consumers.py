"""The recap socket of a session: tells the recap page when the recap changed.

The session's events socket closes once the session has ended (close code 4003); the recap
lives after that, so its page listens here instead, on the same channel-layer group. It sends
the recap's version on connect and in answer to every ping, so a page that missed a broadcast
(delivery is at most once) notices within one ping and catches up.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from diadi.consumers import DispatchWithoutDatabase, on_database
from facilitation.admission import CLOSE_NOT_FOUND, admit
from sessions.events import SESSION_STATE, group_name
from summaries.live import RECAP_UPDATED, RECAP_VERSION, version_of


class RecapConsumer(DispatchWithoutDatabase, AsyncJsonWebsocketConsumer):
    group: str = ""
    session_pk: int

    async def connect(self) -> None:
        admitted = await admit(self)
        if admitted is None:
            return
        session, _ = admitted
        self.session_pk = session.pk
        self.group = group_name(session.public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self._send_version()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _send_version(self) -> None:
        version = await on_database(version_of)(self.session_pk)
        await self.send_json({"type": RECAP_VERSION, "data": {"version": version}})

    async def session_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event["type"] == RECAP_UPDATED:
            await self.send(text_data=message["text"])
        elif event["type"] == SESSION_STATE and event["data"].get("status") == "deleted":
            await self.send(text_data=message["text"])
            await self.close(code=CLOSE_NOT_FOUND)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self._send_version()

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None
