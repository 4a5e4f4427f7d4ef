"""A local stand-in for OpenAI: a real HTTP server speaking the Chat Completions protocol.

Tests point OPENAI_BASE_URL at it; by hand, `python manage.py fake_openai --port 8765`. It
answers `POST /v1/chat/completions` with a recap in the requested JSON schema, made from the
transcript in the request by plain rules (or a canned reply), and can fail on purpose: an
HTTP error (500, 401, 429...), a hang longer than the client waits, or a hold until released.
It records every request it receives.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK = "ok"
ERROR = "error"
SLOW = "slow"
HOLD = "hold"
MODES = (OK, ERROR, SLOW, HOLD)
HOLD_LIMIT_S = 120.0
INVALID = "invalid_request_error"
LINE = re.compile(r"^\[\d+:\d\d\] (?P<speaker>[^:]+): (?P<text>.+)$", re.MULTILINE)
COMMITMENT = re.compile(r"\b(I will|I'll|I'm going to)\b", re.IGNORECASE)
HEDGE = re.compile(r"\b(might|maybe|perhaps|could|probably|try)\b", re.IGNORECASE)
AGREEMENT = re.compile(r"\b(agreed?|deal)\b", re.IGNORECASE)
MERGE = re.compile(r"^Recaps of the \d+ parts, in order:\n(?P<drafts>.*)", re.MULTILINE | re.DOTALL)
LISTS = ("key_agreements", "action_items", "open_disagreements")
DISAGREEMENT = re.compile(r"\b(disagree|not sure|don't agree)\b", re.IGNORECASE)


class FakeOpenAI:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = OK
        self.status = 500
        self.failures_left: int | None = None  # None: every request, while the mode holds
        self.delay_s = 30.0
        self.reply: dict[str, Any] | None = None
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._serving = False

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        """Serve on a thread of its own."""
        self._serving = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        self._server.serve_forever()

    def stop(self) -> None:
        self._released.set()
        if self._serving:  # shutdown() waits for a serving loop, forever if there is none
            self._server.shutdown()
        self._server.server_close()

    # What the next requests get.
    def answer(self, reply: dict[str, Any] | None = None) -> None:
        """Answer every request: with `reply`, or with a recap made from the transcript."""
        self.mode, self.reply, self.failures_left = OK, reply, None

    def fail(self, status: int = 500, times: int | None = None) -> None:
        """Answer HTTP `status`, to every request or to the next `times` ones."""
        self.mode, self.status, self.failures_left = ERROR, status, times

    def slow(self, delay_s: float) -> None:
        """Wait `delay_s` before answering (longer than the client's timeout, say)."""
        self.mode, self.delay_s, self.failures_left = SLOW, delay_s, None

    def hold(self) -> None:
        """Keep every request waiting until release()."""
        self._released.clear()
        self.mode, self.failures_left = HOLD, None

    def release(self) -> None:
        self.mode = OK
        self._released.set()

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [request["body"] for request in self.requests]

    def _record(self, request: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(request)

    def _misbehaviour(self) -> str:
        """The mode this request gets; a limited run of failures counts itself down."""
        with self._lock:
            if self.mode == ERROR and self.failures_left is not None:
                if self.failures_left <= 0:
                    return OK
                self.failures_left -= 1
            return self.mode


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send(400, _error("We could not parse the JSON body.", INVALID))
                return
            authorization = self.headers.get("Authorization") or ""
            fake._record({"path": self.path, "authorization": authorization, "body": body})
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, _error(f"Unknown path {self.path}", INVALID))
                return
            if not authorization.startswith("Bearer "):
                self._send(401, _error("You didn't provide an API key.", INVALID))
                return
            mode = fake._misbehaviour()
            if mode == ERROR:
                self._send(fake.status, _error(f"Fake failure {fake.status}", "server_error"))
                return
            if mode == SLOW:
                time.sleep(fake.delay_s)
            elif mode == HOLD:
                fake._released.wait(HOLD_LIMIT_S)
            content = fake.reply if fake.reply is not None else recap_from(body)
            self._send(200, completion(body.get("model", "fake"), json.dumps(content)))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

    return Handler


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def recap_from(body: dict[str, Any]) -> dict[str, Any]:
    """A recap in the request's schema, by plain rules over the transcript lines it holds."""
    users = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
    user = users[-1] if users else ""
    schema = body.get("response_format", {}).get("json_schema", {}).get("schema", {})
    owners = (
        schema.get("properties", {})
        .get("action_items", {})
        .get("items", {})
        .get("properties", {})
        .get("owner", {})
        .get("enum", ["unassigned"])
    )
    merging = MERGE.search(user)
    if merging:
        drafts = json.loads(merging.group("drafts"))
        return {
            "consensus_summary": " ".join(d["consensus_summary"] for d in drafts),
            **{key: [x for d in drafts for x in d[key]] for key in LISTS},
        }
    lines = [(m["speaker"], m["text"].strip()) for m in LINE.finditer(user)]
    return {
        "consensus_summary": f"A conversation of {len(lines)} turns (recap by the fake OpenAI).",
        "key_agreements": [
            {"title": text[:60], "description": f"{speaker}: {text}"}
            for speaker, text in lines
            if AGREEMENT.search(text)
        ],
        "action_items": [
            {
                "text": text,
                "owner": speaker if speaker in owners else "unassigned",
                "commitment": "tentative" if HEDGE.search(text) else "committed",
                "quote": text,
            }
            for speaker, text in lines
            if COMMITMENT.search(text) or re.search(r"\bI might\b", text, re.IGNORECASE)
        ],
        "open_disagreements": [text for _, text in lines if DISAGREEMENT.search(text)],
    }
