"""The transcript as the recap uses it: written out for a model, cut into parts, searched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from facilitation.services import TranscriptLine
from summaries import language
from summaries.talk import clock


def spoken(lines: Sequence[TranscriptLine]) -> list[TranscriptLine]:
    """The lines with words (voice-activity-only sessions have timings and no text)."""
    return [line for line in lines if line.text.strip()]


def written(line: TranscriptLine, speaker: str | None = None) -> str:
    return f"[{clock(line.start_ms)}] {speaker or line.speaker}: {' '.join(line.text.split())}"


def chunks(rows: Sequence[str], limit: int) -> list[str]:
    """The rows joined into parts of at most `limit` characters, cut between rows where it
    can be, else between sentences, else anywhere."""
    limit = max(limit, 80)
    pieces: list[str] = []
    for row in rows:
        pieces.extend(_split(row, limit))
    parts: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current}\n{piece}" if current else piece
        if len(joined) <= limit:
            current = joined
            continue
        parts.append(current)
        current = piece
    if current:
        parts.append(current)
    return parts


def _split(row: str, limit: int) -> list[str]:
    if len(row) <= limit:
        return [row]
    head, _, words = row.partition("] ")
    speaker, _, text = words.partition(": ")
    prefix = f"{head}] {speaker}: "
    room = max(limit - len(prefix), 20)
    pieces, current = [], ""
    for sentence in language.sentences(text):
        while len(sentence) > room:
            cut = sentence.rfind(" ", 0, room)
            cut = cut if cut > 0 else room
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        joined = f"{current} {sentence}" if current else sentence
        if len(joined) > room:
            pieces.append(current)
            current = sentence
        else:
            current = joined
    if current:
        pieces.append(current)
    return [prefix + piece for piece in pieces]


@dataclass(frozen=True)
class FoundLine:
    line: TranscriptLine
    at: str
    html: SafeString


def search(lines: Sequence[TranscriptLine], query: str) -> list[FoundLine]:
    """The lines with words that contain `query` (all of them without one), matches marked."""
    needle = query.strip().casefold()
    found = []
    for line in spoken(lines):
        text = line.text
        if needle and needle not in text.casefold():
            continue
        found.append(FoundLine(line, clock(line.start_ms), _marked(text, needle)))
    return found


def _marked(text: str, needle: str) -> SafeString:
    if not needle:
        return escape(text)
    folded, pieces, start = text.casefold(), [], 0
    # casefold() can change lengths (ß -> ss); then marking is skipped rather than misplaced.
    if len(folded) != len(text):
        return escape(text)
    while (index := folded.find(needle, start)) >= 0:
        pieces.append(escape(text[start:index]))
        pieces.append(f"<mark>{escape(text[index : index + len(needle)])}</mark>")
        start = index + len(needle)
    pieces.append(escape(text[start:]))
    return mark_safe("".join(pieces))  # every piece of the text is escaped above
