from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from personas.readme import LIBRARY_DIR, PersonaFormatError, load_library
from personas.services import seed_personas


class Command(BaseCommand):
    help = "Create or update facilitator personas from the persona library (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Deactivate personas whose folder is no longer in the library.",
        )
        parser.add_argument(
            "--library",
            type=Path,
            default=LIBRARY_DIR,
            help="Folder holding one <slug>/README.md per persona (default: the bundled library).",
        )

    def handle(self, *args: Any, prune: bool, library: Path, **options: Any) -> None:
        if not library.is_dir():
            raise CommandError(f"{library}: no such folder")
        try:
            specs = load_library(library)
        except PersonaFormatError as exc:
            raise CommandError(f"Nothing was changed. {exc}") from exc
        report = seed_personas(specs, prune=prune)
        if options["verbosity"] == 0:
            return
        for slug in report.created:
            self.stdout.write(f"created {slug}")
        for slug, fields in report.updated.items():
            self.stdout.write(f"updated {slug} ({', '.join(fields)})")
        for slug in report.deactivated:
            self.stdout.write(f"deactivated {slug}")
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(report.created)} created, {len(report.updated)} updated, "
                    f"{len(report.deactivated)} deactivated, {len(report.unchanged)} unchanged."
                )
            )
        else:
            self.stdout.write(f"No changes: {len(report.unchanged)} personas already up to date.")
