"""The hub's artifact grid: one card per recap, with where it stands."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import template
from django.db.models import Count

from summaries.models import Summary
from summaries.presenting import DELETED, EXPIRED, deleted_recaps, state_of

register = template.Library()

LABELS = {
    Summary.Status.PENDING: "Being written",
    Summary.Status.RUNNING: "Being written",
    Summary.Status.READY: "Recap ready",
    Summary.Status.FAILED: "Could not be made",
    DELETED: "Deleted",
    EXPIRED: "Deleted after the retention period",
}


@dataclass(frozen=True)
class RecapCard:
    card: Any  # the hub's SessionCard: session, you, partner
    state: str
    label: str
    agreements: int
    actions: int
    made_offline: bool


@register.inclusion_tag("summaries/_artifacts.html")
def recap_grid(cards: Sequence[Any]) -> dict[str, object]:
    """Cards of ended sessions (the hub's), each with its recap's state: two queries."""
    pks = [card.session.pk for card in cards]
    summaries = {
        s.session_id: s
        for s in Summary.objects.filter(session__in=pks).annotate(
            agreement_count=Count("agreements", distinct=True),
            action_count=Count("action_items", distinct=True),
        )
    }
    deleted = deleted_recaps(pks) if pks else set()
    recaps = []
    for card in cards:
        summary = summaries.get(card.session.pk)
        state = state_of(card.session, summary, deleted=card.session.pk in deleted)
        recaps.append(
            RecapCard(
                card=card,
                state=state,
                label=LABELS.get(state, "Being written"),
                agreements=getattr(summary, "agreement_count", 0),
                actions=getattr(summary, "action_count", 0),
                made_offline=bool(summary and summary.made_offline),
            )
        )
    return {"recaps": recaps}
