"""The events websocket of a session (spec §6.2): snapshot, replay by seq, live events."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from diadi import untrusted_json
from diadi.consumers import DispatchWithoutDatabase, on_database
from facilitation import call
from facilitation.admission import CLOSE_NOT_FOUND, CLOSE_SESSION_ENDED, CLOSED_STATUSES, admit
from facilitation.limits import (
    CLOSE_FLOODING,
    MessageLimiter,
    Rate,
    Verdict,
    connection_allowed,
)
from sessions import services
from sessions.events import events_after, group_name
from sessions.models import Participant, Session

# Not 1011: Daphne lets an application close only with 1000 or 3000-4999, and raises on any
# other code. The browser reconnects after any code it does not know as final.
CLOSE_INTERNAL_ERROR = 4011
REPLAY_BATCH = 500

logger = logging.getLogger(__name__)

# What one socket may send. The page pings every 20 s and a person clicks a few settings or
# prompt buttons; anything else (malformed, unknown types) shares the limiter's default rate.
MESSAGE_LIMITS = {
    "ping": Rate(0.5, burst=5),
    "update_settings": Rate(2, burst=6),
    "intervention_ack": Rate(2, burst=10),
    **call.RATES,
}
INVALID = "invalid"
MAX_MESSAGE_CHARS = 16 * 1024
# Settings changes a socket sends within this window become one logged event.
SETTINGS_EVERY_S = 1.0


def _parse_after(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values:
        return None
    try:
        after = int(values[0])
    except ValueError:
        return None
    return after if after >= 0 else None


class SessionEventsConsumer(DispatchWithoutDatabase, AsyncJsonWebsocketConsumer):
    session: Session
    participant: Participant
    last_sent: int
    group: str = ""
    call_group: str = ""
    peer_call_group: str = ""
    counted: bool = False
    closing: bool = False
    settings_flush: asyncio.Task | None = None
    settings_saved_at: float = float("-inf")

    async def connect(self) -> None:
        self.limiter = MessageLimiter(MESSAGE_LIMITS)
        self.pending_settings: dict[str, bool] = {}
        admitted = await admit(self)
        if admitted is None:
            return
        self.session, self.participant = admitted
        public_id = self.session.public_id
        # Each connection can log a "joined" and a "disconnected": reconnecting in a loop must
        # not grow the log without bound.
        if not await on_database(connection_allowed)(self.participant.public_id):
            await self._error("TOO_MANY_CONNECTIONS", "Too many connections: wait a minute.")
            await self._close(CLOSE_FLOODING)
            return

        # Join first, then read: whatever is committed meanwhile arrives by one path or both,
        # and the seq check below drops the second copy.
        self.group = group_name(public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.call_group = call.group(public_id, self.participant.public_id)
        await self.channel_layer.group_add(self.call_group, self.channel_name)
        after = _parse_after(self.scope.get("query_string", b""))
        state = await on_database(self._snapshot)()
        self.last_sent = state["lastSeq"] if after is None else min(after, state["lastSeq"])
        await self.send_json(self._envelope("session_state", state))
        await self._send_missed(up_to=None)
        if self.session.status in CLOSED_STATUSES:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await on_database(services.set_presence)(self.participant.pk, connected=True)
        self.counted = True

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Whatever fails while handling one message must not skip disconnect(), which corrects
        # presence: close with a code instead; the disconnect follows the close.
        try:
            await super().dispatch(message)
        except StopConsumer:
            raise
        except Exception:
            if message.get("type") == "websocket.disconnect":
                raise
            logger.exception("Events socket failed on a %s message", message.get("type"))
            await self._close(CLOSE_INTERNAL_ERROR)

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.call_group:
            await self.channel_layer.group_discard(self.call_group, self.channel_name)
        try:
            await self._save_settings_now()
        finally:
            if self.counted:
                self.counted = False
                await on_database(services.set_presence)(self.participant.pk, connected=False)

    def _snapshot(self) -> dict[str, Any]:
        self.session.refresh_from_db()
        peer = self.session.participants.exclude(pk=self.participant.pk).first()
        if peer is not None:
            self.peer_call_group = call.group(self.session.public_id, peer.public_id)
        return services.snapshot(self.session)

    @staticmethod
    def _envelope(type: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"type": type, "data": data, "timestamp": timezone.now().isoformat()}

    async def _send_missed(self, up_to: int | None) -> None:
        """Send every logged event after last_sent (and up to `up_to`), in order, once."""
        while True:
            batch = await on_database(events_after)(self.session, self.last_sent, REPLAY_BATCH)
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

    async def call_signal(self, message: dict[str, Any]) -> None:
        """The other participant's call signal (facilitation.call): passed on, never logged."""
        if not self.closing:
            await self.send_json(self._envelope(message["signal"], message["data"]))

    # Messages from the browser.
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        try:
            content = self._decode(text_data)
        except untrusted_json.RefusedJSON as exc:
            if await self._admit(INVALID):
                await self._error("INVALID_MESSAGE", str(exc))
            return
        handler = {
            "ping": self._ping,
            "update_settings": self._update_settings,
            "intervention_ack": self._intervention_ack,
            **{signal: partial(self._call_signal, signal) for signal in call.SIGNALS},
        }.get(content["type"])
        if not await self._admit(content["type"] if handler else INVALID):
            return
        if handler is None:
            await self._error("UNKNOWN_TYPE", f"Unknown message type {content['type']!r}.")
            return
        data = content.get("data", {})
        if not isinstance(data, dict):
            await self._error("INVALID_MESSAGE", "data must be a JSON object.")
            return
        await handler(data)

    @staticmethod
    def _decode(text: str | None) -> dict[str, Any]:
        if text is None:
            raise untrusted_json.RefusedJSON("This socket takes JSON text messages, not binary.")
        if len(text) > MAX_MESSAGE_CHARS:
            raise untrusted_json.RefusedJSON(
                f"Messages may be at most {MAX_MESSAGE_CHARS // 1024} KB."
            )
        content = untrusted_json.loads(text)
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            raise untrusted_json.RefusedJSON("Messages are JSON objects with a type.")
        return content

    async def _admit(self, kind: str) -> bool:
        """Whether this message may be handled; tells or disconnects a sender past its limits."""
        verdict = self.limiter.check(kind)
        if verdict is Verdict.WARN:
            await self._error(
                "RATE_LIMITED", f"Too many {kind} messages: wait a moment before sending more."
            )
        elif verdict is Verdict.CLOSE:
            await self._close(CLOSE_FLOODING)
        return verdict is Verdict.ALLOW

    async def _error(self, code: str, message: str) -> None:
        await self.send_json(self._envelope("error", {"code": code, "message": message}))

    async def _ping(self, data: dict[str, Any]) -> None:
        if self.counted:
            await on_database(services.touch_presence)(self.participant.pk)
        await self.send_json({"type": "pong"})

    async def _update_settings(self, data: dict[str, Any]) -> None:
        unknown = set(data) - set(services.LIVE_SETTINGS)
        if unknown or not data or not all(isinstance(v, bool) for v in data.values()):
            allowed = ", ".join(services.LIVE_SETTINGS)
            await self._error("INVALID_SETTINGS", f"Send one or more of {allowed} as true/false.")
            return
        # Rapid changes are merged: the log keeps at most one settings event a window.
        self.pending_settings.update(data)
        if self.settings_flush is not None:
            return
        wait = self.settings_saved_at + SETTINGS_EVERY_S - time.monotonic()
        if wait <= 0:
            await self._save_settings_now()
        else:
            self.settings_flush = asyncio.create_task(self._save_settings_after(wait))

    async def _save_settings_after(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self.settings_flush = None
        try:
            await self._save_settings_now()
        except Exception:
            logger.exception("Could not save the live settings of session %s", self.session.pk)

    async def _save_settings_now(self) -> None:
        if self.settings_flush is not None:
            self.settings_flush.cancel()
            self.settings_flush = None
        changes, self.pending_settings = getattr(self, "pending_settings", {}), {}
        self.settings_saved_at = time.monotonic()
        if changes:
            await on_database(services.update_live_settings)(
                self.session.pk, self.participant, changes
            )

    async def _call_signal(self, signal: str, data: dict[str, Any]) -> None:
        try:
            relayed = call.checked(signal, data)
        except call.BadSignal as exc:
            await self._error(exc.code, exc.message)
            return
        if self.peer_call_group:
            await self.channel_layer.group_send(
                self.peer_call_group, {"type": "call.signal", "signal": signal, "data": relayed}
            )

    async def _intervention_ack(self, data: dict[str, Any]) -> None:
        intervention_id, action = data.get("interventionId"), data.get("action")
        if not isinstance(intervention_id, str) or action not in services.ACK_ACTIONS:
            await self._error(
                "INVALID_ACK", "Send interventionId and action (dismissed or followed)."
            )
            return
        recorded = await on_database(services.acknowledge_intervention)(
            self.session.pk, self.participant, intervention_id, action
        )
        if recorded is None:
            await self._error("UNKNOWN_INTERVENTION", "This session has no such prompt.")
