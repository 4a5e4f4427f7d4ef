"""`python manage.py fake_meetingbaas --port 8765`: a local MeetingBaas to try meetings by
hand (point MEETING_BAAS_API_URL at it; see README "Zoom, Google Meet and Teams")."""

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facilitation.meetings.fake import FakeMeetingBaas


class Command(BaseCommand):
    help = "Serve a fake MeetingBaas (v2 API) whose bots play a recorded conversation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--api-key",
            default="fake-meetingbaas-key",
            help="The key it accepts (set MEETING_BAAS_API_KEY to the same).",
        )
        parser.add_argument(
            "--fail-create",
            choices=["401", "4xx", "5xx", "timeout"],
            help="The first bot creation fails this way.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        asyncio.run(self._serve(options))

    async def _serve(self, options: dict[str, Any]) -> None:
        fake = FakeMeetingBaas(api_key=options["api_key"])
        if options["fail_create"]:
            fake.next = {"fail": options["fail_create"]}
        url = await fake.serve(options["host"], options["port"])
        self.stdout.write(f"Fake MeetingBaas on {url} (API key {options['api_key']!r})")
        self.stdout.write(f"Its bots: {url}/_fake/bots")
        try:
            await asyncio.Event().wait()
        finally:
            await fake.close()
