"""The events websocket of a session (spec §6.2): snapshot, replay by seq, live events."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from facilitation.admission import CLOSE_NOT_FOUND, CLOSE_SESSION_ENDED, CLOSED_STATUSES, admit
from sessions import services
from sessions.events import events_after, group_name
from sessions.models import Participant, Session

REPLAY_BATCH = 500


def _parse_after(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values:
        return None
    try:
        after = int(values[0])
    except ValueError:
        return None
    return after if after >= 0 else None


class SessionEventsConsumer(AsyncJsonWebsocketConsumer):
    session: Session
    participant: Participant
    last_sent: int
    group: str = ""
    counted: bool = False

    async def connect(self) -> None:
        admitted = await admit(self)
        if admitted is None:
            return
        self.session, self.participant = admitted
        public_id = self.session.public_id

        # Join first, then read: whatever is committed meanwhile arrives by one path or both,
        # and the seq check below drops the second copy.
        self.group = group_name(public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        after = _parse_after(self.scope.get("query_string", b""))
        state = await database_sync_to_async(self._snapshot)()
        self.last_sent = state["lastSeq"] if after is None else min(after, state["lastSeq"])
        await self.send_json(self._envelope("session_state", state))
        await self._send_missed(up_to=None)
        if self.session.status in CLOSED_STATUSES:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await database_sync_to_async(services.set_presence)(self.participant.pk, connected=True)
        self.counted = True

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if getattr(self, "counted", False):
            self.counted = False
            # The session may have been deleted while we were connected.
            with contextlib.suppress(Participant.DoesNotExist):
                await database_sync_to_async(services.set_presence)(
                    self.participant.pk, connected=False
                )

    def _snapshot(self) -> dict[str, Any]:
        self.session.refresh_from_db()
        return services.snapshot(self.session)

    @staticmethod
    def _envelope(type: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"type": type, "data": data, "timestamp": timezone.now().isoformat()}

    async def _send_missed(self, up_to: int | None) -> None:
        """Send every logged event after last_sent (and up to `up_to`), in order, once."""
        while True:
            batch = await database_sync_to_async(events_after)(
                self.session, self.last_sent, REPLAY_BATCH
            )
            for event in batch:
                if up_to is not None and event.seq > up_to:
                    return
                await self.send_json(event.as_message())
                self.last_sent = event.seq
            if len(batch) < REPLAY_BATCH:
                return

    # Messages from the channel layer group.
    async def session_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        seq = event.get("seq")
        if seq is None:
            await self.send_json(event)
            if event.get("data", {}).get("status") == "deleted":
                await self.close(code=CLOSE_NOT_FOUND)
            return
        if seq <= self.last_sent:
            return
        if seq > self.last_sent + 1:
            await self._send_missed(up_to=seq - 1)  # a broadcast was lost: fill from the log
        await self.send(text_data=message.get("text") or json.dumps(event))
        self.last_sent = seq
        if event["type"] == "session_state" and event["data"].get("status") in CLOSED_STATUSES:
            await self.close(code=CLOSE_SESSION_ENDED)

    # Messages from the browser.
    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("INVALID_MESSAGE", "Messages are JSON objects with a type.")
            return
        handler = {
            "ping": self._ping,
            "update_settings": self._update_settings,
            "intervention_ack": self._intervention_ack,
        }.get(content["type"])
        if handler is None:
            await self._error("UNKNOWN_TYPE", f"Unknown message type {content['type']!r}.")
            return
        data = content.get("data", {})
        if not isinstance(data, dict):
            await self._error("INVALID_MESSAGE", "data must be a JSON object.")
            return
        await handler(data)

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def _error(self, code: str, message: str) -> None:
        await self.send_json(self._envelope("error", {"code": code, "message": message}))

    async def _ping(self, data: dict[str, Any]) -> None:
        await database_sync_to_async(services.touch_presence)(self.participant.pk)
        await self.send_json({"type": "pong"})

    async def _update_settings(self, data: dict[str, Any]) -> None:
        unknown = set(data) - set(services.LIVE_SETTINGS)
        if unknown or not data or not all(isinstance(v, bool) for v in data.values()):
            allowed = ", ".join(services.LIVE_SETTINGS)
            await self._error("INVALID_SETTINGS", f"Send one or more of {allowed} as true/false.")
            return
        await database_sync_to_async(services.update_live_settings)(
            self.session.pk, self.participant, data
        )

    async def _intervention_ack(self, data: dict[str, Any]) -> None:
        intervention_id, action = data.get("interventionId"), data.get("action")
        if not isinstance(intervention_id, str) or action not in services.ACK_ACTIONS:
            await self._error(
                "INVALID_ACK", "Send interventionId and action (dismissed or followed)."
            )
            return
        recorded = await database_sync_to_async(services.acknowledge_intervention)(
            self.session.pk, self.participant, intervention_id, action
        )
        if recorded is None:
            await self._error("UNKNOWN_INTERVENTION", "This session has no such prompt.")
