"""Both people see the same recap, live: every change is announced on the session's group.

The announcement carries no content, only which part changed and the recap's version; the
recap page fetches the part again. It is not written to the session's event log (that log
ends with the session), so a lost broadcast is made up differently: the recap socket tells
each page the current version on connect and on every ping, and a page that is behind
refreshes itself.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from sessions.events import broadcast
from summaries.models import Summary

RECAP_UPDATED = "recap_updated"
RECAP_VERSION = "recap_version"
# What a page may refresh on its own; "all" is everything.
PARTS = ("all", "agreements", "actions")
NO_RECAP = "none"


def version_of(session_pk: int) -> str:
    row = Summary.objects.filter(session_id=session_pk).values_list("pk", "version").first()
    return f"{row[0]}.{row[1]}" if row else NO_RECAP


def announce(session_pk: int, public_id: str, part: str = "all") -> None:
    broadcast(
        public_id,
        {
            "type": RECAP_UPDATED,
            "data": {"part": part, "version": version_of(session_pk)},
            "seq": None,
        },
    )


def announce_on_commit(session_pk: int, public_id: str, part: str = "all") -> None:
    transaction.on_commit(partial(announce, session_pk, public_id, part))
