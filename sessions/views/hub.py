"""The hub (the active session, the latest few of each kind) and the full, searchable list.

Both stay a handful of queries however many sessions someone has: the hub takes the few it
shows with one window query, the list one page at a time (bench/hub.py measures it).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from facilitation.services import demo_playing
from sessions import services
from sessions.models import LIVE_STATUSES, Participant, Session, Status

ACTIVE_ORDER = (
    Status.IN_PROGRESS,
    Status.PAUSED,
    Status.READY,
    Status.PENDING_CONSENT,
    Status.DRAFT,
)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    statuses: tuple[str, ...]


GROUPS = (
    Group("live", "Live", tuple(LIVE_STATUSES)),
    Group("ready", "Ready to start", (Status.READY,)),
    Group("waiting", "Waiting for consent", (Status.DRAFT, Status.PENDING_CONSENT)),
    Group("ended", "Ended", (Status.ENDED,)),
    Group("archived", "Archived", (Status.ARCHIVED,)),
)
GROUPS_BY_KEY = {group.key: group for group in GROUPS}
RECENT_PER_GROUP = 3
PAGE_SIZE = 20
QUERY_MAX_LENGTH = 100


@dataclass(frozen=True)
class SessionCard:
    session: Session
    you: Participant
    partner: Participant


def _visible(request: HttpRequest) -> QuerySet[Session]:
    """The asker's sessions, as a subquery rather than a join, so no DISTINCT is needed."""
    keys = services.browser_keys(request.session)
    mine = Participant.objects.filter(user=request.user).values("session_id")
    query = Q(pk__in=mine)
    if keys:
        query |= Q(public_id__in=list(keys))
    return Session.objects.filter(query)


def _with_people(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.select_related("persona").prefetch_related("participants")


def _cards(request: HttpRequest, sessions: Iterable[Session]) -> list[SessionCard]:
    keys = services.browser_keys(request.session)
    cards = []
    for session in sessions:
        you = services.participant_for(session, request.user, keys)
        if you is not None:  # participant_for has the last word on a browser key
            partner = next(p for p in session.participants.all() if p.pk != you.pk)
            cards.append(SessionCard(session, you, partner))
    return cards


def _recent(request: HttpRequest) -> tuple[list[tuple[Group, list[SessionCard], int]], list]:
    """The latest few of each status, grouped, with how many each group has in all; and the
    cards that may be the active session."""
    # Numbered by ids alone: the few picked are then read whole, with their people.
    picked = (
        _visible(request)
        .annotate(
            place=Window(RowNumber(), partition_by=F("status"), order_by=F("created_at").desc())
        )
        .filter(place__lte=RECENT_PER_GROUP)
        .values("pk")
    )
    latest = (
        _with_people(Session.objects.filter(pk__in=picked))
        .annotate(
            # A demo counts only while it is really playing; an abandoned one never does.
            may_be_active=Case(
                When(Q(is_demo=False) | demo_playing(timezone.now()), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-created_at")
    )
    per_status = dict(
        _visible(request)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    cards = _cards(request, latest)
    groups = []
    for group in GROUPS:
        total = sum(per_status.get(status, 0) for status in group.statuses)
        if total:
            mine = [card for card in cards if card.session.status in group.statuses]
            groups.append((group, mine[:RECENT_PER_GROUP], total))
    return groups, [card for card in cards if card.session.may_be_active]


def _active(candidates: list[SessionCard]) -> SessionCard | None:
    """Live first, then ready, then waiting; the newest of the first status that has one (the
    newest of each status are among the candidates)."""
    for status in ACTIVE_ORDER:
        for card in candidates:  # newest first
            if card.session.status == status:
                return card
    return None


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    groups, candidates = _recent(request)
    ended = next((cards for group, cards, _ in groups if group.key == "ended"), [])
    context = {
        "active": _active(candidates),
        "groups": groups,
        "has_sessions": bool(groups),
        "artifacts": ended,
        "per_group": RECENT_PER_GROUP,
    }
    return render(request, "sessions/hub.html", context)


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """Every session, newest first, a page at a time; by group and by words of title or goal."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    group = GROUPS_BY_KEY.get(request.GET.get("group", ""))
    sessions = _with_people(_visible(request)).order_by("-created_at")
    if group is not None:
        sessions = sessions.filter(status__in=group.statuses)
    if query:
        sessions = sessions.filter(Q(title__icontains=query) | Q(goal__icontains=query))
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cards": _cards(request, page.object_list),
        "query": query,
        "group": group,
        "groups": GROUPS,
    }
    template = "sessions/list.html#results" if request.htmx else "sessions/list.html"
    return render(request, template, context)
