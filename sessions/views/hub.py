from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sessions import services
from sessions.models import LIVE_STATUSES, Participant, Session, Status

ACTIVE_ORDER = (
    Status.IN_PROGRESS,
    Status.PAUSED,
    Status.READY,
    Status.PENDING_CONSENT,
    Status.DRAFT,
)
STATUS_GROUPS = (
    ("Live", LIVE_STATUSES),
    ("Ready to start", (Status.READY,)),
    ("Waiting for consent", (Status.DRAFT, Status.PENDING_CONSENT)),
    ("Ended", (Status.ENDED,)),
    ("Archived", (Status.ARCHIVED,)),
)


@dataclass(frozen=True)
class SessionCard:
    session: Session
    you: Participant
    partner: Participant


def _cards(request: HttpRequest, sessions: list[Session]) -> list[SessionCard]:
    keys = services.browser_keys(request.session)
    cards = []
    for session in sessions:
        you = services.participant_for(session, request.user, keys)
        if you is not None:
            partner = next(p for p in session.participants.all() if p.pk != you.pk)
            cards.append(SessionCard(session, you, partner))
    return cards


def _matches(card: SessionCard, query: str) -> bool:
    needle = query.casefold()
    return needle in card.session.title.casefold() or needle in card.session.goal.casefold()


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    visible = services.visible_sessions(request.user, services.browser_keys(request.session))
    cards = _cards(
        request, list(visible.select_related("persona").prefetch_related("participants"))
    )
    active = next(
        (card for status in ACTIVE_ORDER for card in cards if card.session.status == status), None
    )
    found = [card for card in cards if _matches(card, query)] if query else cards
    groups = [
        (label, [card for card in found if card.session.status in statuses])
        for label, statuses in STATUS_GROUPS
    ]
    context = {
        "active": active,
        "groups": [(label, items) for label, items in groups if items],
        "has_sessions": bool(cards),
        "query": query,
        # Sessions that ended, archived or not: each has (or had) a recap.
        "artifacts": sorted(
            (card for card in cards if card.session.ended_at is not None),
            key=lambda card: card.session.ended_at,
            reverse=True,
        ),
    }
    template = "sessions/hub.html#recent" if request.htmx else "sessions/hub.html"
    return render(request, template, context)
