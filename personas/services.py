"""What other apps may ask of personas."""

from dataclasses import dataclass, field

from django.db import transaction

from personas.models import Persona
from personas.readme import PersonaSpec


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    deactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


@transaction.atomic
def seed_personas(specs: list[PersonaSpec], *, prune: bool = False) -> SeedReport:
    """Create or update one Persona per spec; with prune, deactivate those not in specs."""
    report = SeedReport()
    existing = {p.slug: p for p in Persona.objects.select_for_update()}
    for spec in specs:
        fields = spec.as_fields()
        persona = existing.get(spec.slug)
        if persona is None:
            Persona.objects.create(slug=spec.slug, **fields)
            report.created.append(spec.slug)
            continue
        changed = [name for name, value in fields.items() if getattr(persona, name) != value]
        if not persona.is_active:
            changed.append("is_active")
        if changed:
            for name, value in fields.items():
                setattr(persona, name, value)
            persona.is_active = True
            persona.save()
            report.updated[spec.slug] = changed
        else:
            report.unchanged.append(spec.slug)
    if prune:
        gone = [
            slug
            for slug, p in existing.items()
            if p.is_active and slug not in {s.slug for s in specs}
        ]
        Persona.objects.filter(slug__in=gone).update(is_active=False)
        report.deactivated = sorted(gone)
    return report


def active_personas() -> list[Persona]:
    return list(Persona.objects.active())


def get_active_persona(slug: str) -> Persona | None:
    return Persona.objects.active().filter(slug=slug).first()
