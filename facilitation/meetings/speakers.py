"""Who is who among a meeting's speakers: names as the call shows them, matched to the
session's two participants. Pure functions; the map they extend is kept on the bot's row.

A name matches a participant when it is their display name, ignoring case and accents
("José" is "jose"), or starts with it ("Maya Cohen" for Maya). Names that match neither go,
in the order they first speak, to whoever of the two has no name yet; anything else (a
third person, the facilitator bot itself) is not counted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


def name_key(name: str) -> str:
    """A meeting name as compared: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Person:
    id: str
    name: str


def _matches(key: str, person: Person) -> bool:
    own = name_key(person.name).split()
    theirs = key.split()
    return bool(own) and theirs[: len(own)] == own


def _named(key: str, people: Sequence[Person]) -> Person | None:
    exact = [p for p in people if name_key(p.name) == key]
    if len(exact) == 1:
        return exact[0]
    starts = [p for p in people if _matches(key, p)]
    return starts[0] if len(starts) == 1 else None


def extend(
    known: Mapping[str, str],
    people: Sequence[Person],
    present: Iterable[str],
    speaking: Iterable[str],
    ignored: Iterable[str] = (),
) -> dict[str, str]:
    """The map of meeting names (keys) to participant ids, extended by one speaker-state
    frame: `present` are the names it lists, `speaking` those speaking, in frame order.
    Names already mapped keep their participant, whatever their display names say now."""
    mapping = dict(known)
    skip = {name_key(name) for name in ignored}
    for key in present:
        if key in mapping or key in skip:
            continue
        person = _named(key, people)
        if person is not None:
            mapping[key] = person.id
    for key in speaking:
        if key in mapping or key in skip:
            continue
        free = [p for p in people if p.id not in mapping.values()]
        if free and _named(key, people) is None:
            mapping[key] = free[0].id
    return mapping


def swapped(mapping: Mapping[str, str], first: str, second: str) -> dict[str, str]:
    """The map with the two participants' names exchanged (labels swapped in the room)."""
    other = {first: second, second: first}
    return {key: other.get(pid, pid) for key, pid in mapping.items()}
