"""The browser room's call: the two people hear each other over WebRTC, and the events socket
carries its signalling (static/js/call.js is the other end).

Signals go from one participant's events sockets to the other participant's, through the
channel layer (in memory embedded, Redis in production), and nowhere else: they are never
logged, replayed or shown by the API. What a browser may send, as `{"type", "data"}`:

- `call_hello` `{}`: I joined with my microphone (again): start the call over with me;
- `call_offer` / `call_answer` `{"callId", "sdp"}`: the session descriptions;
- `call_ice` `{"callId", "candidate", "sdpMid", "sdpMLineIndex"}` (an empty candidate: no more);
- `call_hangup` `{"callId"}`: I left this call.

The creator always offers and the invitee answers, so two browsers never offer at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings

from facilitation.limits import Rate

HELLO = "call_hello"
OFFER = "call_offer"
ANSWER = "call_answer"
ICE = "call_ice"
HANGUP = "call_hangup"
SIGNALS = (HELLO, OFFER, ANSWER, ICE, HANGUP)

# An audio-only session description is 2-5 kB; the socket refuses messages over 16 kB.
MAX_SDP_CHARS = 12_000
MAX_CANDIDATE_CHARS = 1_000
MAX_MID_CHARS = 64
CALL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

# A browser gathers a dozen or so candidates at once, then nothing; offers come when someone
# (re)joins. Hello and hangup come from a person's clicks.
RATES = {
    HELLO: Rate(0.5, burst=6),
    HANGUP: Rate(0.5, burst=6),
    OFFER: Rate(0.5, burst=6),
    ANSWER: Rate(0.5, burst=6),
    ICE: Rate(5, burst=50),
}


class BadSignal(ValueError):
    """A signal that is not relayed; `code` and the message go back to its sender."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def group(session_public_id: str, participant_public_id: str) -> str:
    """Every events socket of one participant of one session, in whichever process."""
    return f"call.{session_public_id}.{participant_public_id}"


def checked(type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The signal's data as it is relayed (known fields only), or BadSignal."""
    if type == HELLO:
        if data:
            raise BadSignal("INVALID_CALL_SIGNAL", "call_hello takes no data: send {}.")
        return {}
    if type == HANGUP and set(data) != {"callId"}:
        raise BadSignal("INVALID_CALL_SIGNAL", "call_hangup takes the callId it ends.")
    call_id = data.get("callId")
    if not isinstance(call_id, str) or not CALL_ID.fullmatch(call_id):
        raise BadSignal("INVALID_CALL_SIGNAL", "callId must be 1 to 64 letters, digits, - or _.")
    if type == HANGUP:
        return {"callId": call_id}
    if type in (OFFER, ANSWER):
        sdp = data.get("sdp")
        if not isinstance(sdp, str) or not sdp:
            raise BadSignal("INVALID_CALL_SIGNAL", f"{type} needs the session description (sdp).")
        if len(sdp) > MAX_SDP_CHARS:
            raise BadSignal(
                "CALL_SIGNAL_TOO_LARGE",
                f"A session description may be at most {MAX_SDP_CHARS} characters.",
            )
        return {"callId": call_id, "sdp": sdp}
    candidate, mid, index = data.get("candidate"), data.get("sdpMid"), data.get("sdpMLineIndex")
    if not isinstance(candidate, str):
        raise BadSignal("INVALID_CALL_SIGNAL", 'call_ice needs a candidate ("" when done).')
    if len(candidate) > MAX_CANDIDATE_CHARS:
        raise BadSignal(
            "CALL_SIGNAL_TOO_LARGE",
            f"An ICE candidate may be at most {MAX_CANDIDATE_CHARS} characters.",
        )
    if mid is not None and (not isinstance(mid, str) or len(mid) > MAX_MID_CHARS):
        raise BadSignal("INVALID_CALL_SIGNAL", "sdpMid must be a short string or null.")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise BadSignal("INVALID_CALL_SIGNAL", "sdpMLineIndex must be a number or null.")
    if index is not None and not 0 <= index < 64:
        raise BadSignal("INVALID_CALL_SIGNAL", "sdpMLineIndex must be between 0 and 63.")
    return {"callId": call_id, "candidate": candidate, "sdpMid": mid, "sdpMLineIndex": index}


ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")
TRANSPORT_POLICIES = ("all", "relay")


def page_config() -> dict[str, Any]:
    """What the live room's call script is told (static/js/call.js)."""
    return {
        "rtc": ice_config(),
        "connectTimeoutMs": round(settings.CALL_CONNECT_TIMEOUT_SECONDS * 1000),
    }


def ice_config() -> dict[str, Any]:
    """The RTCPeerConnection configuration the page gets, from the CALL_* settings;
    ValueError says what is wrong with them (a system check reports it at start-up)."""
    policy = settings.CALL_ICE_TRANSPORT_POLICY
    if policy not in TRANSPORT_POLICIES:
        raise ValueError(f"CALL_ICE_TRANSPORT_POLICY must be all or relay, not {policy!r}")
    servers = ice_servers(settings.CALL_ICE_SERVERS)
    if policy == "relay" and not any("username" in server for server in servers):
        raise ValueError("CALL_ICE_TRANSPORT_POLICY=relay needs a TURN server")
    if settings.CALL_CONNECT_TIMEOUT_SECONDS <= 0:
        raise ValueError("CALL_CONNECT_TIMEOUT_SECONDS must be more than 0")
    return {"iceServers": servers, "iceTransportPolicy": policy}


def ice_servers(raw: str) -> list[dict[str, Any]]:
    raw = raw.strip()
    if not raw:
        return []
    if raw.startswith("["):
        try:
            entries = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"CALL_ICE_SERVERS is not valid JSON: {exc}") from None
        if not isinstance(entries, list):
            raise ValueError("CALL_ICE_SERVERS must be a JSON list")
    else:
        entries = [url.strip() for url in raw.split(",") if url.strip()]
    return [_ice_server(entry) for entry in entries]


def _ice_server(entry: object) -> dict[str, Any]:
    if isinstance(entry, str):
        server: dict[str, Any] = {"urls": entry}
        if entry.startswith(("turn:", "turns:")) and settings.CALL_TURN_USERNAME:
            server["username"] = settings.CALL_TURN_USERNAME
            server["credential"] = settings.CALL_TURN_CREDENTIAL
    elif isinstance(entry, dict) and set(entry) <= {"urls", "username", "credential"}:
        server = dict(entry)
    else:
        raise ValueError(
            "each ICE server is a URL or an object with urls, username and credential, "
            f"not {entry!r}"
        )
    urls = server.get("urls")
    every_url = urls if isinstance(urls, list) else [urls]
    for url in every_url:
        if not isinstance(url, str) or not url.startswith(ICE_SCHEMES):
            raise ValueError(
                f"ICE server URLs start with stun:, stuns:, turn: or turns:, not {url!r}"
            )
    for key in ("username", "credential"):
        if not isinstance(server.get(key, ""), str):
            raise ValueError(f"an ICE server's {key} must be a string")
    credentials = server.get("username") and server.get("credential")
    if any(url.startswith("turn") for url in every_url) and not credentials:
        raise ValueError(
            f"the TURN server {urls!r} needs a username and credential "
            "(CALL_TURN_USERNAME and CALL_TURN_CREDENTIAL)"
        )
    return server
