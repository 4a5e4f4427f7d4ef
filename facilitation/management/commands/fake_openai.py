import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from facilitation.adapters.fake_openai import FakeOpenAI


class Command(BaseCommand):
    help = (
        "Serve a local stand-in for OpenAI's Chat Completions API. Run Diadi with "
        "OPENAI_API_KEY=anything OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 to use it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--fail",
            type=int,
            metavar="STATUS",
            help="Answer every request with this HTTP status (500, 401, 429...).",
        )
        parser.add_argument(
            "--delay", type=float, help="Wait this many seconds before answering (timeouts)."
        )
        parser.add_argument(
            "--reply", type=Path, help="A JSON file: the recap to answer with, as is."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            fake = FakeOpenAI(options["host"], options["port"])
        except OSError as exc:
            where = f"{options['host']}:{options['port']}"
            raise CommandError(f"Cannot listen on {where}: {exc}") from exc
        if options["reply"]:
            try:
                fake.answer(json.loads(options["reply"].read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise CommandError(f"--reply: {exc}") from exc
        if options["delay"] is not None:
            fake.slow(options["delay"])
        if options["fail"] is not None:
            fake.fail(options["fail"])
        self.stdout.write(f"Fake OpenAI on {fake.url} (Ctrl-C to stop)")
        self.stdout.flush()
        try:
            fake.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            fake.stop()
