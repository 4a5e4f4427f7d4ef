"""Reads a persona's README.md from the persona library.

Format (see personas/library/*/README.md): a `# Title`, one paragraph that is the prompt,
a `## Description` paragraph written for the two people (what persona cards show: the prompt
is for the model and never shown), then `## Core Behaviors`, `## Intervention Style` and
`## Metadata` sections of `- ` bullets.
Inside Intervention Style, a bullet `- <prompt type>: <template>` is a message template for the
facilitation engine; other bullets describe the tone. Metadata bullets are `- key: value`;
`TBD` or an empty value means "not set".
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from facilitation.engine import PROMPT_KEYS, validate_template

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
SLUG_RE = re.compile(r"^[a-z0-9_]{2,64}$")
REQUIRED_SECTIONS = ("Description", "Core Behaviors", "Intervention Style", "Metadata")
DESCRIPTION_MAX_LENGTH = 200
METADATA_KEYS = ("image", "entry_message", "cartesia_voice_id", "gender", "relevant_links")
GENDERS = ("female", "male", "neutral")


class PersonaFormatError(Exception):
    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class PersonaSpec:
    slug: str
    name: str
    prompt: str
    description: str
    core_behaviors: list[str]
    intervention_style: list[str]
    prompt_templates: dict[str, str]
    entry_message: str = ""
    image: str = ""
    cartesia_voice_id: str = ""
    gender: str = "neutral"
    relevant_links: list[str] = field(default_factory=list)

    def as_fields(self) -> dict[str, object]:
        return {
            "name": self.name,
            "prompt": self.prompt,
            "description": self.description,
            "core_behaviors": self.core_behaviors,
            "intervention_style": self.intervention_style,
            "prompt_templates": self.prompt_templates,
            "entry_message": self.entry_message,
            "image": self.image,
            "cartesia_voice_id": self.cartesia_voice_id,
            "gender": self.gender,
            "relevant_links": self.relevant_links,
        }


def _not_set(value: str) -> bool:
    return value == "" or value.upper().startswith("TBD")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_sections(lines: list[str], source: str) -> tuple[str, list[str], dict[str, list[str]]]:
    if not lines or not lines[0].startswith("# "):
        raise PersonaFormatError(source, "the first line must be the title, as '# Name'")
    title = lines[0][2:].strip()
    if not title:
        raise PersonaFormatError(source, "the title is empty")
    intro: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] = intro
    for line in lines[1:]:
        if line.startswith("## "):
            name = line[3:].strip()
            if name in sections:
                raise PersonaFormatError(source, f"the section '## {name}' appears twice")
            current = sections.setdefault(name, [])
        else:
            current.append(line)
    return title, intro, sections


def _bullets(section: str, lines: list[str], source: str) -> list[str]:
    items = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("- "):
            raise PersonaFormatError(
                source, f"'## {section}' may only contain '- ' bullets, found: {stripped[:60]!r}"
            )
        items.append(stripped[2:].strip())
    if not items:
        raise PersonaFormatError(source, f"the section '## {section}' is empty")
    return items


def _first_paragraph(lines: list[str]) -> str:
    paragraph: list[str] = []
    for line in lines:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    return " ".join(paragraph)


def _prompt(intro: list[str], source: str) -> str:
    prompt = _first_paragraph(intro)
    if not prompt:
        raise PersonaFormatError(source, "there is no prompt paragraph after the title")
    return prompt


def _description(lines: list[str], source: str) -> str:
    description = _first_paragraph(lines)
    if not description:
        raise PersonaFormatError(source, "the section '## Description' is empty")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise PersonaFormatError(
            source, f"'## Description' is longer than {DESCRIPTION_MAX_LENGTH} characters"
        )
    if description.lower().startswith("you are"):
        # The commonest slip: pasting the model's prompt where people will read it.
        raise PersonaFormatError(
            source, "'## Description' is for the two people, not the model ('You are…')"
        )
    return description


def _style_and_templates(items: list[str], source: str) -> tuple[list[str], dict[str, str]]:
    style: list[str] = []
    templates: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition(":")
        key = key.strip()
        if sep and key in PROMPT_KEYS:
            template = _unquote(value.strip())
            try:
                validate_template(key, template)
            except ValueError as exc:
                raise PersonaFormatError(source, f"the '{key}' template is invalid: {exc}") from exc
            templates[key] = template
        else:
            style.append(item)
    return style, templates


def _links(value: str, source: str) -> list[str]:
    if _not_set(value):
        return []
    if value.startswith("["):
        try:
            links = json.loads(value)
        except json.JSONDecodeError as exc:
            raise PersonaFormatError(
                source, f"relevant_links is not a valid list: {exc.msg}"
            ) from exc
    else:
        links = [part.strip() for part in value.split(",") if part.strip()]
    if not all(
        isinstance(link, str) and link.startswith(("http://", "https://")) for link in links
    ):
        raise PersonaFormatError(source, "relevant_links must be a list of http(s) URLs")
    return links


def _metadata(items: list[str], source: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition(":")
        key = key.strip()
        if not sep:
            raise PersonaFormatError(source, f"metadata line {item!r} is not '- key: value'")
        if key not in METADATA_KEYS:
            raise PersonaFormatError(
                source, f"unknown metadata key {key!r} (expected one of {', '.join(METADATA_KEYS)})"
            )
        values[key] = value.strip()
    return values


def parse_readme(text: str, slug: str, source: str) -> PersonaSpec:
    if not SLUG_RE.match(slug):
        raise PersonaFormatError(
            source, f"the folder name {slug!r} must be 2-64 lowercase letters, digits or '_'"
        )
    title, intro, sections = _split_sections(text.splitlines(), source)
    for required in REQUIRED_SECTIONS:
        if required not in sections:
            raise PersonaFormatError(source, f"the section '## {required}' is missing")
    style, templates = _style_and_templates(
        _bullets("Intervention Style", sections["Intervention Style"], source), source
    )
    meta = _metadata(_bullets("Metadata", sections["Metadata"], source), source)
    gender = meta.get("gender", "")
    if _not_set(gender):
        gender = "neutral"
    elif gender not in GENDERS:
        raise PersonaFormatError(
            source, f"gender must be one of {', '.join(GENDERS)}, not {gender!r}"
        )
    image = meta.get("image", "")
    if not _not_set(image) and not image.startswith(("http://", "https://")):
        raise PersonaFormatError(source, "image must be an http(s) URL or TBD")
    entry, voice = _unquote(meta.get("entry_message", "")), meta.get("cartesia_voice_id", "")
    return PersonaSpec(
        slug=slug,
        name=title,
        prompt=_prompt(intro, source),
        description=_description(sections["Description"], source),
        core_behaviors=_bullets("Core Behaviors", sections["Core Behaviors"], source),
        intervention_style=style,
        prompt_templates=templates,
        entry_message="" if _not_set(entry) else entry,
        image="" if _not_set(image) else image,
        cartesia_voice_id="" if _not_set(voice) else voice,
        gender=gender,
        relevant_links=_links(meta.get("relevant_links", ""), source),
    )


def load_library(root: Path = LIBRARY_DIR) -> list[PersonaSpec]:
    """Every persona in the library, or PersonaFormatError for the first broken README."""
    specs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        readme = folder / "README.md"
        source = str(readme)
        if not readme.is_file():
            raise PersonaFormatError(source, "README.md is missing")
        try:
            text = readme.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise PersonaFormatError(source, "the file is not UTF-8 text") from exc
        specs.append(parse_readme(text, folder.name, source))
    return specs
