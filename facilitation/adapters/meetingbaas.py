"""MeetingBaas (v2 API): sends a facilitator bot into a Zoom, Google Meet or Teams call.

One small interface: create a bot, tell it to leave, read its status, find a bot by the
reference Diadi gave it. Every failure becomes a MeetingBaasError whose message a person can
read. Timeouts everywhere; retries only where a repeat cannot do harm: reading a status and
leaving (a second leave of a bot that left is answered 409, which counts as done) are
retried, creating a bot never is, since a request that timed out may have created one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

API_KEY_HEADER = "x-meeting-baas-api-key"
# Connecting is quick or hopeless; MeetingBaas may take a while to queue a bot.
CONNECT_TIMEOUT_S = 5.0
SAFE_ATTEMPTS = 3
RETRY_PAUSE_S = 0.5
AUDIO_FREQUENCY = 16_000
# What Diadi writes in a bot's `extra`, so a bot created by a request that timed out can be
# found and sent away.
REFERENCE_KEY = "diadi_bot"

# A quiet couple must never be left alone by the bot: every wait as long as MeetingBaas allows.
QUIET_COUPLE_TIMEOUTS = {
    "waiting_room_timeout": 1800,
    "no_one_joined_timeout": 1800,
    "silence_timeout": 1800,
}

# MeetingBaas statuses, as Diadi shows them.
JOINING, WAITING_ROOM, IN_CALL, LEFT, FAILED = (
    "joining",
    "waiting_room",
    "in_call",
    "left",
    "failed",
)
STATUSES = {
    "queued": JOINING,
    "pickup_delayed": JOINING,
    "joining_call": JOINING,
    "in_waiting_room": WAITING_ROOM,
    "in_waiting_for_host": WAITING_ROOM,
    "in_call_not_recording": IN_CALL,
    "in_call_recording": IN_CALL,
    "recording_paused": IN_CALL,
    "recording_resumed": IN_CALL,
    "call_ended": LEFT,
    "api_request_stop": LEFT,
    "bot_removed": LEFT,
    "recording_succeeded": LEFT,
    "transcribing": LEFT,
    "completed": LEFT,
    "failed": FAILED,
    "bot_rejected": FAILED,
    "bot_removed_too_early": FAILED,
    "waiting_room_timeout": FAILED,
    "invalid_meeting_url": FAILED,
    "meeting_error": FAILED,
    "recording_failed": FAILED,
}
STATUS_REASONS = {
    "call_ended": "The call ended.",
    "bot_removed": "Someone removed the facilitator from the call.",
    "bot_rejected": "The facilitator was not let into the call.",
    "bot_removed_too_early": "Someone removed the facilitator from the call.",
    "waiting_room_timeout": "Nobody let the facilitator in from the waiting room.",
    "invalid_meeting_url": "MeetingBaas could not use this meeting link.",
    "meeting_error": "The meeting platform refused the facilitator.",
    "recording_failed": "The meeting platform did not let the facilitator listen.",
    "failed": "The facilitator could not join the call.",
}


class MeetingBaasError(Exception):
    """A request MeetingBaas refused or never answered; `message` is for people."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class BotRequest:
    meeting_url: str
    bot_name: str
    input_url: str  # what the bot plays into the call (Diadi's voice)
    output_url: str  # where the bot sends the call's audio and speaker state
    callback_url: str
    callback_secret: str
    reference: str
    bot_image: str = ""
    entry_message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "meeting_url": self.meeting_url,
            "bot_name": self.bot_name[:100],
            "recording_mode": "audio_only",
            "streaming_enabled": True,
            "streaming_config": {
                "input_url": self.input_url,
                "output_url": self.output_url,
                "audio_frequency": AUDIO_FREQUENCY,
            },
            "callback_enabled": True,
            "callback_config": {
                "url": self.callback_url,
                "secret": self.callback_secret,
                "method": "POST",
            },
            "timeout_config": QUIET_COUPLE_TIMEOUTS,
            "extra": {**self.extra, REFERENCE_KEY: self.reference},
        }
        if self.bot_image:
            body["bot_image"] = self.bot_image
        if self.entry_message:
            body["entry_message"] = self.entry_message[:500]
        return body


@dataclass(frozen=True)
class BotState:
    bot_id: str
    code: str  # MeetingBaas' own status code

    @property
    def status(self) -> str:
        return STATUSES.get(self.code, JOINING)

    @property
    def reason(self) -> str:
        return STATUS_REASONS.get(self.code, "")


class MeetingBaasClient:
    def __init__(self, api_key: str, base_url: str, *, timeout_s: float) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {API_KEY_HEADER: api_key, "accept": "application/json"}
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S))

    # The interface -------------------------------------------------------------------------

    def create_bot(self, request: BotRequest) -> str:
        """The new bot's id. Sent once: a timeout here may still have created a bot, which
        the caller then looks for by its reference (find_bot) and sends away."""
        try:
            response = self._send("POST", "/v2/bots", json=request.body())
        except httpx.ConnectError as exc:
            raise MeetingBaasError(
                "Diadi could not reach MeetingBaas. Try again in a minute."
            ) from exc
        except httpx.TimeoutException as exc:
            raise MeetingBaasError("MeetingBaas did not answer in time. Try again.") from exc
        except httpx.HTTPError as exc:
            raise MeetingBaasError(f"Diadi could not talk to MeetingBaas ({exc}).") from exc
        data = self._data(response, expect=(200, 201))
        bot_id = data.get("bot_id") if isinstance(data, dict) else None
        if not isinstance(bot_id, str) or not bot_id:
            raise MeetingBaasError("MeetingBaas answered without a bot id.", status=502)
        return bot_id

    def leave(self, bot_id: str) -> None:
        """Tell the bot to leave; one that already left (409) or is unknown (404) is done."""
        response = self._safely("POST", f"/v2/bots/{bot_id}/leave")
        if response.status_code in (404, 409):
            return
        self._data(response, expect=(200, 201, 202))

    def status(self, bot_id: str) -> BotState:
        data = self._data(self._safely("GET", f"/v2/bots/{bot_id}/status"), expect=(200,))
        code = data.get("status") if isinstance(data, dict) else None
        if not isinstance(code, str):
            raise MeetingBaasError("MeetingBaas answered a status without a status.", status=502)
        return BotState(bot_id, code)

    def find_bot(self, reference: str) -> str | None:
        """The id of the bot Diadi created under `reference`, if MeetingBaas has one."""
        response = self._safely(
            "GET", "/v2/bots", params={"extra": f"{REFERENCE_KEY}:{reference}", "limit": 5}
        )
        data = self._data(response, expect=(200,))
        for bot in data if isinstance(data, list) else []:
            if isinstance(bot, dict) and isinstance(bot.get("bot_id"), str):
                return bot["bot_id"]
        return None

    # Transport -----------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(headers=self._headers, timeout=self._timeout) as client:
            return client.request(method, f"{self._base}{path}", **kwargs)

    def _safely(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request that may be repeated: retried on a lost connection or a 5xx."""
        last: Exception | None = None
        for attempt in range(SAFE_ATTEMPTS):
            if attempt:
                time.sleep(RETRY_PAUSE_S * attempt)
            try:
                response = self._send(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                last = MeetingBaasError("MeetingBaas did not answer in time.")
                last.__cause__ = exc
                continue
            except httpx.HTTPError as exc:
                last = MeetingBaasError("Diadi could not reach MeetingBaas.")
                last.__cause__ = exc
                continue
            if response.status_code < 500:
                return response
            last = _refusal(response)
        assert last is not None
        raise last

    @staticmethod
    def _data(response: httpx.Response, *, expect: tuple[int, ...]) -> Any:
        if response.status_code not in expect:
            raise _refusal(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise MeetingBaasError(
                "MeetingBaas answered something Diadi could not read.", status=502
            ) from exc
        return body.get("data") if isinstance(body, dict) else None


def _refusal(response: httpx.Response) -> MeetingBaasError:
    status = response.status_code
    if status == 401:
        return MeetingBaasError(
            "MeetingBaas refused this server's API key (MEETING_BAAS_API_KEY).", status=status
        )
    if status >= 500:
        return MeetingBaasError(
            f"MeetingBaas is having trouble (HTTP {status}). Try again in a minute.",
            status=status,
        )
    said = _said(response)
    return MeetingBaasError(
        f"MeetingBaas refused the facilitator: {said}"
        if said
        else f"MeetingBaas said no (HTTP {status}).",
        status=status,
    )


def _said(response: httpx.Response) -> str:
    """The human part of a MeetingBaas error body, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    for key in ("message", "error", "details"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return ""


def client() -> MeetingBaasClient:
    return MeetingBaasClient(
        settings.MEETING_BAAS_API_KEY,
        settings.MEETING_BAAS_API_URL,
        timeout_s=settings.MEETING_BAAS_TIMEOUT_SECONDS,
    )
