"""A session's recap as its pages, its export and its API show it, for one of its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from facilitation.room import ACK_LABELS, BALANCE_LABELS, KIND_LABELS
from sessions.models import Participant, Role, Session, SessionEvent
from summaries.chart import Chart, build
from summaries.live import version_of
from summaries.making import RECAP_DELETED
from summaries.models import ActionItem, Agreement, Owner, Rating, Summary
from summaries.talk import clock

NOT_ENDED = "not_ended"
DELETED = "deleted"
EXPIRED = "expired"
MODALITIES = {"visual": "On screen", "voice": "Spoken"}


@dataclass(frozen=True)
class Confirmation:
    name: str
    confirmed: bool
    is_you: bool


@dataclass(frozen=True)
class Shared:
    """An agreement or action item with who confirmed it."""

    item: Agreement | ActionItem
    confirmations: list[Confirmation]
    confirmed_by_you: bool
    confirmed_by_both: bool
    written_by: str
    owner: str = ""


@dataclass(frozen=True)
class Prompt:
    at: str
    at_ms: int | None
    kind: str
    modality: str
    target: str
    message: str
    answers: list[str]


@dataclass
class Recap:
    session: Session
    you: Participant
    people: tuple[Participant, Participant]  # creator first
    state: str
    summary: Summary | None
    version: str
    agreements: list[Shared] = field(default_factory=list)
    actions: list[Shared] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    chart: Chart | None = None
    shares: list[tuple[str, int]] = field(default_factory=list)
    balance_label: str = ""
    duration: str = ""
    deleted_by: str = ""
    deleted_at: datetime | None = None
    rating: Rating | None = None
    partner_rated: bool = False

    @property
    def partner(self) -> Participant:
        return self.people[1] if self.people[0].pk == self.you.pk else self.people[0]

    @property
    def names(self) -> tuple[str, str]:
        return self.people[0].display_name, self.people[1].display_name

    @property
    def is_ready(self) -> bool:
        return self.summary is not None and self.summary.is_ready

    @property
    def owner_choices(self) -> list[tuple[str, str]]:
        return [(value, owner_label(value, self.people)) for value in Owner.values]


def people_of(session: Session) -> tuple[Participant, Participant]:
    ordered = sorted(session.participants.all(), key=lambda p: p.role != Role.CREATOR)
    return ordered[0], ordered[1]


def owner_label(owner: str, people: tuple[Participant, Participant]) -> str:
    return {
        Owner.CREATOR: people[0].display_name,
        Owner.INVITEE: people[1].display_name,
        Owner.BOTH: "Both of you",
    }.get(owner, "Nobody yet")


def state_of(session: Session, summary: Summary | None, *, deleted: bool | None = None) -> str:
    """Where the recap stands; `deleted`, when the caller knows, saves a query."""
    if summary is not None:
        return summary.status
    if session.ended_at is None:
        return NOT_ENDED
    if deleted if deleted is not None else deleted_recaps([session.pk]):
        return DELETED
    if session.ended_at < timezone.now() - timedelta(days=settings.RETENTION_DAYS):
        return EXPIRED
    return Summary.Status.PENDING  # the sweep is about to queue it


def deleted_recaps(session_pks: list[int]) -> set[int]:
    """Which of these sessions had their recap deleted by one of their people."""
    return set(
        SessionEvent.objects.filter(session_id__in=session_pks, type=RECAP_DELETED).values_list(
            "session_id", flat=True
        )
    )


def recap_for(session: Session, you: Participant) -> Recap:
    summary = Summary.objects.filter(session=session).first()
    people = people_of(session)
    recap = Recap(
        session=session,
        you=you,
        people=people,
        state=state_of(session, summary),
        summary=summary,
        version=version_of(session.pk),
    )
    recap.rating = Rating.objects.filter(session=session, participant=you).first()
    recap.partner_rated = Rating.objects.filter(session=session, participant=recap.partner).exists()
    if recap.state == DELETED:
        _deletion(recap)
    if summary is not None and summary.is_ready:
        _fill(recap, summary)
    return recap


def _deletion(recap: Recap) -> None:
    event = recap.session.events.filter(type=RECAP_DELETED).order_by("-seq").first()
    if event is None:
        return
    by = event.data.get("participantId")
    recap.deleted_by = next((p.display_name for p in recap.people if p.public_id == by), "")
    recap.deleted_at = event.created_at


def _fill(recap: Recap, summary: Summary) -> None:
    talk: dict[str, Any] = summary.talk or {}
    recap.agreements = shared_items(summary.agreements.all(), recap)
    recap.actions = shared_items(summary.action_items.all(), recap)
    recap.prompts = prompts_of(talk, recap.people)
    shares = talk.get("shares") or []
    if shares:
        recap.shares = list(zip(recap.names, shares, strict=True))
        recap.balance_label = BALANCE_LABELS.get(talk.get("status", ""), "")
    minutes = round((talk.get("durationMs") or 0) / 60_000)
    recap.duration = f"{minutes} minute{'s' * (minutes != 1)}"
    recap.chart = build(
        talk,
        recap.names,
        [(p.at_ms, f"{p.at} {p.kind}: {p.message}") for p in recap.prompts if p.at_ms is not None],
    )


def shared_items(items: Any, recap: Recap) -> list[Shared]:
    found = []
    for item in items.prefetch_related("confirmed_by").select_related("created_by"):
        confirmed = {p.pk for p in item.confirmed_by.all()}
        confirmations = [
            Confirmation(p.display_name, p.pk in confirmed, p.pk == recap.you.pk)
            for p in recap.people
        ]
        found.append(
            Shared(
                item=item,
                confirmations=confirmations,
                confirmed_by_you=recap.you.pk in confirmed,
                confirmed_by_both=all(c.confirmed for c in confirmations),
                written_by=item.created_by.display_name if item.created_by else "",
                owner=owner_label(item.owner, recap.people) if isinstance(item, ActionItem) else "",
            )
        )
    return found


def prompts_of(talk: dict[str, Any], people: tuple[Participant, Participant]) -> list[Prompt]:
    names = {p.public_id: p.display_name for p in people}
    prompts = []
    for given in talk.get("interventions", []):
        at_ms = given.get("atMs")
        # Worded as the live room words them.
        answers = [
            ACK_LABELS[ack["action"]].format(name=names.get(ack.get("participantId"), "Someone"))
            for ack in given.get("acks", [])
            if ack.get("action") in ACK_LABELS
        ]
        prompts.append(
            Prompt(
                at=clock(at_ms) if at_ms is not None else "",
                at_ms=at_ms,
                kind=KIND_LABELS.get(given.get("type", ""), given.get("type", "")),
                modality=MODALITIES.get(given.get("modality", ""), ""),
                target=names.get(given.get("targetParticipant"), "Both of you"),
                message=given.get("message", ""),
                answers=answers,
            )
        )
    return prompts
