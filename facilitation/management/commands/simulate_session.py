import asyncio
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand, CommandError

from facilitation import services
from facilitation.runtime import FacilitationRun
from facilitation.simulation import Script, ScriptError, load_script
from facilitation.sources import simulation_source
from sessions.errors import SessionError
from sessions.models import Session, SessionEvent

POLL_S = 0.2


class Command(BaseCommand):
    help = (
        "Play a scripted conversation through the live facilitation path (engine, event log, "
        "broadcast). With --json, print every event it produced, one JSON object per line."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--script", type=Path, required=True, help="YAML or JSON script.")
        parser.add_argument(
            "--session",
            help="Public id of a ready session to play it in (default: a new demo session).",
        )
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="1 plays in real time (default), 10 ten times faster, 0 as fast as possible.",
        )
        parser.add_argument("--json", action="store_true", help="Print events as JSON lines.")

    def handle(
        self, *args: Any, script: Path, session: str | None, speed: float, **options: Any
    ) -> None:
        if speed < 0:
            raise CommandError("--speed must be 0 or more.")
        try:
            parsed = load_script(script)
        except (OSError, ScriptError) as exc:
            raise CommandError(str(exc)) from exc
        target = self._session(session, parsed)
        before = target.last_event_seq
        try:
            started, run = services.prepare_start(
                target, None, source=simulation_source(parsed, speed=speed)
            )
        except SessionError as exc:
            raise CommandError(f"Session {target.public_id}: {exc.message}") from exc
        if not options["json"]:
            self.stdout.write(f"Playing {script} in session {started.public_id}…")
        asyncio.run(self._play(started, run.pk, run.owner, before, as_json=options["json"]))

    def _session(self, public_id: str | None, script: Script) -> Session:
        if public_id is None:
            try:
                return services.create_simulation_session(script)
            except SessionError as exc:
                raise CommandError(exc.message) from exc
        session = Session.objects.filter(public_id=public_id).first()
        if session is None:
            raise CommandError(f"No session {public_id!r}.")
        return session

    async def _play(
        self, session: Session, run_id: int, owner: str, last_seq: int, *, as_json: bool
    ) -> None:
        run = asyncio.create_task(FacilitationRun(run_id, owner)())
        while not run.done():
            last_seq = await self._print_new(session, last_seq, as_json)
            await asyncio.sleep(POLL_S)
        await run
        await self._print_new(session, last_seq, as_json)

    async def _print_new(self, session: Session, after: int, as_json: bool) -> int:
        events = await sync_to_async(list)(
            SessionEvent.objects.filter(session=session, seq__gt=after).order_by("seq")
        )
        for event in events:
            at = None if event.at_ms is None else round(event.at_ms / 1000, 3)
            if as_json:
                line = {"seq": event.seq, "type": event.type, "at": at, "data": event.data}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            elif event.type not in ("balance_update", "participant_status"):
                self.stdout.write(f"{at or 0:8.1f}s  {event.type:<18} {json.dumps(event.data)}")
            after = event.seq
        return after
