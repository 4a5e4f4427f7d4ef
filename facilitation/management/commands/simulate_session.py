import asyncio
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand, CommandError

from facilitation import runners, services, store
from facilitation.models import FacilitationRun
from facilitation.simulation import Script, ScriptError, load_script
from facilitation.sources import simulation_source
from sessions.errors import SessionError
from sessions.models import Session, SessionEvent

POLL_S = 0.2
# How long a run played in real time waits for a running Diadi to take it.
HAND_OUT_WAIT_S = 12.0


class Command(BaseCommand):
    help = (
        "Play a scripted conversation through the live facilitation path (engine, event log, "
        "broadcast). With --json, print every event it produced, one JSON object per line."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--script", type=Path, required=True, help="YAML or JSON script.")
        parser.add_argument(
            "--session",
            help=(
                "Public id of a ready session to play it in (default: a new demo session); "
                "write --session=ID, as an id may begin with a dash."
            ),
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
        if not options["json"]:
            self.stdout.write(f"Playing {script} in session {target.public_id}…")
        asyncio.run(self._play(target, parsed, speed, as_json=options["json"]))

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

    async def _play(self, session: Session, script: Script, speed: float, *, as_json: bool) -> None:
        """As fast as possible, the run is hosted here. In real time it is handed out like any
        started session, so a running Diadi (its workers, or the embedded server) plays it
        where the open live rooms see it; with nobody to take it, it is hosted here too."""
        host = runners.new_host()
        await host.start()
        last_seq = session.last_event_seq
        try:
            started = await sync_to_async(services.start)(
                session,
                None,
                source=simulation_source(script, speed=speed),
                host=host.name if speed == 0 else "",
            )
        except SessionError as exc:
            await host.shutdown()
            raise CommandError(f"Session {session.public_id}: {exc.message}") from exc
        run = await FacilitationRun.objects.aget(session=started)
        if speed == 0 or not await self._taken_elsewhere(run.pk):
            await host.adopt(run.pk, run.owner)
        try:
            while await sync_to_async(store.holder_of)(run.pk) is not None:
                last_seq = await self._print_new(started, last_seq, as_json)
                await asyncio.sleep(POLL_S)
            await self._print_new(started, last_seq, as_json)
        finally:
            await host.shutdown()

    @staticmethod
    async def _taken_elsewhere(run_id: int) -> bool:
        for _ in range(int(HAND_OUT_WAIT_S / POLL_S)):
            if await sync_to_async(store.holder_of)(run_id):
                return True
            await asyncio.sleep(POLL_S)
        return False

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
