"""A local MeetingBaas for tests and for trying meetings by hand (`manage.py fake_meetingbaas`).

A real HTTP server speaking the v2 API Diadi uses: create a bot, its status, leave, and the
bot list filtered by `extra`. A created bot behaves like MeetingBaas' own: it queues, waits
to be admitted, joins, then connects to the streaming URLs it was given (reconnecting by
itself until they answer), sends the JSON handshake and plays a WAV pair into the output
socket in 100 ms chunks, with a speaker-state frame whenever someone starts or stops
speaking. It records what Diadi sends to its input socket, and posts `bot.completed` /
`bot.failed` callbacks with the `x-mb-secret` it was given.

It can be told to fail: the next creation answers 401, 4xx with a message, 5xx, or nothing
in time; a bot in the call can fail, or lose its stream for a while (it buffers nothing).
Tests drive it in-process (`FakeMeetingBaas.start_in_thread`); by hand, its `/_fake/`
endpoints do the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from facilitation.meetings.recording import (
    CHUNK_MS,
    SAMPLE_RATE,
    Voice,
    chunks,
    default_voices,
    mix,
    speaking_track,
)

logger = logging.getLogger(__name__)

RECONNECT_S = 0.2


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakeBot:
    bot_id: str
    request: dict[str, Any]
    voices: list[Voice]
    status: str = "queued"
    statuses: list[str] = field(default_factory=list)
    leave_calls: int = 0
    handshakes: int = 0
    speaker_frames: list[list[dict]] = field(default_factory=list)
    received: bytearray = field(default_factory=bytearray)
    played: bool = False
    callbacks: list[tuple[str, int]] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)
    output: aiohttp.ClientWebSocketResponse | None = None
    input: aiohttp.ClientWebSocketResponse | None = None
    cut_for: float = 0.0

    @property
    def over(self) -> bool:
        return self.status in ("completed", "failed")

    def summary(self) -> dict[str, Any]:
        return {
            "bot_id": self.bot_id,
            "status": self.status,
            "statuses": self.statuses,
            "leave_calls": self.leave_calls,
            "handshakes": self.handshakes,
            "speaker_frames": len(self.speaker_frames),
            "audio_bytes_received": len(self.received),
            "played": self.played,
            "callbacks": self.callbacks,
            "extra": self.request.get("extra"),
        }


class FakeMeetingBaas:
    def __init__(
        self,
        *,
        api_key: str = "fake-meetingbaas-key",
        voices: list[Voice] | None = None,
        waiting_room_s: float = 0.3,
    ) -> None:
        self.api_key = api_key
        self.voices = voices or default_voices()
        self.waiting_room_s = waiting_room_s
        self.bots: dict[str, FakeBot] = {}
        # What the next creation does: {"fail": "401" | "4xx" | "5xx" | "timeout", ...},
        # "waiting_room_s", "voices", and (in-process only) "during": a function to call.
        self.next: dict[str, Any] = {}
        self.create_requests = 0
        # Leave requests answered 503 before the fake's bots leave again (in-process tests).
        self.leave_failures = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None

    # Serving --------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.post("/v2/bots", self._create),
                web.get("/v2/bots", self._list),
                web.get("/v2/bots/{bot_id}/status", self._status),
                web.post("/v2/bots/{bot_id}/leave", self._leave),
                web.get("/_fake/bots", self._inspect),
                web.post("/_fake/next", self._set_next),
                web.post("/_fake/bots/{bot_id}/{action}", self._act),
            ]
        )
        return app

    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self.loop = asyncio.get_running_loop()
        self._session = aiohttp.ClientSession()
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://{host}:{bound}"
        return self.url

    async def close(self) -> None:
        for bot in self.bots.values():
            for task in bot.tasks:
                task.cancel()
            await self._hang_up(bot)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def start_in_thread(self) -> FakeMeetingBaas:
        """Serve on a loop of its own, in a daemon thread (tests)."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.serve())
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, name="fake-meetingbaas", daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("The fake MeetingBaas did not start")
        return self

    def stop_thread(self) -> None:
        if self.loop is not None:
            asyncio.run_coroutine_threadsafe(self.close(), self.loop).result(10)
            self.loop.call_soon_threadsafe(self.loop.stop)

    def call(self, fn: Any, *args: Any) -> Any:
        """Run `fn(*args)` (a coroutine function) on the fake's loop, from another thread."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(fn(*args), self.loop).result(30)

    # The v2 API ----------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("x-meeting-baas-api-key") == self.api_key

    @staticmethod
    def _error(status: int, code: str, message: str | None) -> web.Response:
        body = {"success": False, "error": code.title(), "code": code, "statusCode": status}
        if message is not None:
            body["message"] = message
        return web.json_response(body, status=status)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        self.create_requests += 1
        if not self._authorised(request):
            return self._error(401, "UNAUTHORIZED", "Invalid or missing API key")
        plan, self.next = self.next, {}
        fail = plan.get("fail")
        if fail == "401":
            return self._error(401, "UNAUTHORIZED", "Invalid or missing API key")
        if fail == "4xx":
            return self._error(
                int(plan.get("status", 400)),
                plan.get("code", "INVALID_MEETING_URL"),
                plan.get("message", "The meeting URL could not be parsed"),
            )
        if fail == "5xx":
            return self._error(503, "SERVICE_UNAVAILABLE", None)
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "VALIDATION_ERROR", "Body must be JSON")
        if not isinstance(body, dict) or not body.get("meeting_url") or not body.get("bot_name"):
            return self._error(400, "VALIDATION_ERROR", "meeting_url and bot_name are required")
        bot = FakeBot(str(uuid.uuid4()), body, plan.get("voices") or self.voices)
        self.bots[bot.bot_id] = bot
        self._move(bot, "queued")
        bot.tasks.append(asyncio.create_task(self._life(bot, plan)))
        if callable(plan.get("during")):
            # Something happens while MeetingBaas is answering (tests: a race).
            await asyncio.to_thread(plan["during"])
        if fail == "timeout":
            # Created, but the answer never comes in time: the caller must find it.
            await asyncio.sleep(float(plan.get("delay", 30)))
        return web.json_response({"success": True, "data": {"bot_id": bot.bot_id}}, status=201)

    async def _list(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "UNAUTHORIZED", "Invalid or missing API key")
        wanted = dict(
            pair.split(":", 1) for pair in request.query.get("extra", "").split(",") if ":" in pair
        )
        found = [
            {
                "bot_id": bot.bot_id,
                "bot_name": bot.request.get("bot_name"),
                "meeting_url": bot.request.get("meeting_url"),
                "extra": bot.request.get("extra"),
            }
            for bot in self.bots.values()
            if all(str((bot.request.get("extra") or {}).get(k)) == v for k, v in wanted.items())
        ]
        return web.json_response({"success": True, "data": found, "cursor": None})

    def _bot(self, request: web.Request) -> FakeBot | web.Response:
        """The bot a request names, or the answer MeetingBaas gives when it cannot have it."""
        if not self._authorised(request):
            return self._error(401, "UNAUTHORIZED", "Invalid or missing API key")
        bot = self.bots.get(request.match_info["bot_id"])
        return bot if bot is not None else self._error(404, "NOT_FOUND", "Bot not found")

    async def _status(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        if isinstance(bot, web.Response):
            return bot
        data = {
            "bot_id": bot.bot_id,
            "status": bot.status,
            "transcription_status": "not-applicable",
            "updated_at": _now_iso(),
        }
        return web.json_response({"success": True, "data": data})

    async def _leave(self, request: web.Request) -> web.Response:
        bot = self._bot(request)
        if isinstance(bot, web.Response):
            return bot
        bot.leave_calls += 1
        if self.leave_failures > 0:
            self.leave_failures -= 1
            return self._error(503, "SERVICE_UNAVAILABLE", None)
        if bot.over:
            return self._error(409, "CONFLICT", "Bot is not in an active state")
        await self._end(bot, "api_request_stop")
        return web.json_response({"success": True, "data": {"message": "Bot is leaving"}})

    # By hand ---------------------------------------------------------------------------------

    async def _inspect(self, request: web.Request) -> web.Response:
        return web.json_response([bot.summary() for bot in self.bots.values()])

    async def _set_next(self, request: web.Request) -> web.Response:
        self.next = await request.json()
        return web.json_response({"next": self.next})

    async def _act(self, request: web.Request) -> web.Response:
        bot = self.bots.get(request.match_info["bot_id"])
        if bot is None:
            return self._error(404, "NOT_FOUND", "Bot not found")
        action = request.match_info["action"]
        if action == "fail":
            await self.fail(bot)
        elif action == "cut":
            await self.cut(bot, float(request.query.get("gap", "1.0")))
        else:
            return self._error(400, "UNKNOWN_ACTION", "fail or cut")
        return web.json_response(bot.summary())

    # A bot's life ----------------------------------------------------------------------------

    def _move(self, bot: FakeBot, status: str) -> None:
        bot.status = status
        bot.statuses.append(status)

    async def _life(self, bot: FakeBot, plan: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)
        self._move(bot, "joining_call")
        await asyncio.sleep(0.05)
        self._move(bot, "in_waiting_room")
        await asyncio.sleep(float(plan.get("waiting_room_s", self.waiting_room_s)))
        if bot.over:
            return
        self._move(bot, "in_call_recording")
        streaming = bot.request.get("streaming_config") or {}
        if streaming.get("input_url"):
            bot.tasks.append(asyncio.create_task(self._listen(bot, streaming["input_url"])))
        if streaming.get("output_url"):
            await self._speak(bot, streaming["output_url"])

    async def _connect(self, bot: FakeBot, url: str) -> aiohttp.ClientWebSocketResponse | None:
        """As MeetingBaas' bot: keep trying until the socket answers (or the bot is over)."""
        assert self._session is not None
        while not bot.over:
            try:
                return await self._session.ws_connect(url, autoping=True)
            except (aiohttp.ClientError, OSError):
                await asyncio.sleep(RECONNECT_S)
        return None

    async def _listen(self, bot: FakeBot, url: str) -> None:
        """Record what Diadi plays into the call."""
        while not bot.over:
            socket = bot.input = await self._connect(bot, url)
            if socket is None:
                return
            async for message in socket:
                if message.type == aiohttp.WSMsgType.BINARY:
                    bot.received.extend(message.data)
            await asyncio.sleep(RECONNECT_S)

    def _roster(self, bot: FakeBot, speaking: list[bool]) -> list[dict[str, Any]]:
        stamp = int(time.time() * 1000)
        people = [
            {"name": voice.name, "id": n + 1, "timestamp": stamp, "isSpeaking": on}
            for n, (voice, on) in enumerate(zip(bot.voices, speaking, strict=True))
        ]
        own = {"name": bot.request.get("bot_name", "Bot"), "id": len(people) + 1}
        return [*people, {**own, "timestamp": stamp, "isSpeaking": False}]

    async def _open_output(self, bot: FakeBot, url: str) -> None:
        bot.output = await self._connect(bot, url)
        if bot.output is not None:
            bot.handshakes += 1
            handshake = {
                "protocol_version": 1,
                "bot_id": bot.bot_id,
                "offset": 0.0,
                "sample_rate": SAMPLE_RATE,
            }
            await bot.output.send_str(json.dumps(handshake))

    async def _speak(self, bot: FakeBot, url: str) -> None:
        """Play the WAV pair in real time, with speaker state as it changes. A cut stream
        sends nothing until it is back (no buffering), then the state as it is then."""
        tracks = [speaking_track(voice.pcm) for voice in bot.voices]
        audio = chunks(mix([voice.pcm for voice in bot.voices]))
        await self._open_output(bot, url)
        last: list[bool] | None = None
        started = time.monotonic()
        for n, chunk in enumerate(audio):
            await asyncio.sleep(max(0.0, started + n * CHUNK_MS / 1000 - time.monotonic()))
            if bot.over:
                return
            if bot.cut_for:
                gap, bot.cut_for = bot.cut_for, 0.0
                if bot.output is not None:
                    await bot.output.close()
                resume_at = time.monotonic() + gap
                last = None  # a new connection hears the whole state again
                while time.monotonic() < resume_at:
                    await asyncio.sleep(0.02)
                await self._open_output(bot, url)
                continue
            if bot.output is None or bot.output.closed:
                await self._open_output(bot, url)
                last = None
                if bot.output is None:
                    return
            state = [track[n] if n < len(track) else False for track in tracks]
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                if state != last:
                    roster = self._roster(bot, state)
                    bot.speaker_frames.append(roster)
                    await bot.output.send_str(json.dumps(roster))
                    last = state
                await bot.output.send_bytes(chunk)
        bot.played = True

    async def cut(self, bot: FakeBot, gap: float) -> None:
        """The stream drops for `gap` seconds mid-call."""
        bot.cut_for = gap

    async def fail(self, bot: FakeBot, message: str = "The bot was removed by the host") -> None:
        if not bot.over:
            self._move(bot, "bot_removed_too_early")
            await self._finish(
                bot, "failed", {"error_message": message, "error_code": "BOT_REMOVED"}
            )

    async def _end(self, bot: FakeBot, status: str) -> None:
        self._move(bot, status)
        await self._finish(bot, "completed", {})

    async def _finish(self, bot: FakeBot, status: str, details: dict[str, Any]) -> None:
        self._move(bot, status)
        await self._hang_up(bot)
        for task in bot.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        await self._callback(bot, f"bot.{status}", details)

    @staticmethod
    async def _hang_up(bot: FakeBot) -> None:
        for socket in (bot.output, bot.input):
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()

    async def _callback(self, bot: FakeBot, event: str, details: dict[str, Any]) -> None:
        config = bot.request.get("callback_config") or {}
        if not bot.request.get("callback_enabled") or not config.get("url"):
            return
        data = {"bot_id": bot.bot_id, "event_id": None, "sent_at": _now_iso(), **details}
        if event == "bot.completed":
            data.update(
                participants=[{"name": v.name, "id": n + 1} for n, v in enumerate(bot.voices)]
            )
        headers = {"x-mb-secret": config["secret"]} if config.get("secret") else {}
        body = {"event": event, "data": data, "extra": bot.request.get("extra")}
        assert self._session is not None
        try:
            async with self._session.request(
                config.get("method", "POST"), config["url"], json=body, headers=headers
            ) as response:
                bot.callbacks.append((event, response.status))
        except aiohttp.ClientError as exc:
            logger.warning("Callback to %s failed: %s", config["url"], exc)
            bot.callbacks.append((event, 0))
