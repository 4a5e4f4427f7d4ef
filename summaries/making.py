"""Making a recap, once: queued when a session ends, claimed by one maker, swept up if lost.

- queue_summary (the ENDED hook) creates the Summary row once per session and queues the task.
- make() claims the row with a conditional UPDATE (fresh maker token), keeps the claim alive
  between steps (a heartbeat on claimed_at) and stores the result only if it still holds the
  claim: two makers can never both store a recap.
- sweep() hands recaps whose maker went quiet to a new maker (at most SUMMARY_MAX_ATTEMPTS
  claims), queues recaps that were never picked up, and creates the row for any ended session
  that has none (a hook that never ran).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from diadi.background import enqueue
from facilitation import adapters
from facilitation import services as facilitation
from facilitation.adapters.openai_summary import (
    BOTH,
    Conversation,
    RecapWriterError,
    writer_from_settings,
)
from facilitation.room import BALANCE_LABELS
from facilitation.services import TranscriptLine
from sessions.events import INTERVENTION, INTERVENTION_ACK
from sessions.models import Role, Session, Status
from summaries import language, offline, transcript
from summaries.live import announce_on_commit
from summaries.models import ActionItem, Agreement, Commitment, Owner, Summary
from summaries.talk import Utterance, talk_over_time

logger = logging.getLogger(__name__)

# How long a maker waits, at most, for the facilitation run to write its last words after
# the end (a run told of the end writes what was said so far, then stops).
SETTLE_S = 5.0
SETTLE_POLL_S = 0.5
RECAP_DELETED = "recap_deleted"
NO_KEY = "this server has no OpenAI key"
NO_TRANSCRIPT = "no transcript of your words was made (talk was measured from voice alone)"
ASKED_OFFLINE = "you asked for a recap made without AI"


class LostClaim(Exception):
    """Another maker took the recap over, or it was deleted: stop without a word."""


def stale_after() -> timedelta:
    # Never shorter than one request to OpenAI can take, or a working maker would be robbed.
    return timedelta(seconds=max(settings.SUMMARY_STALE_SECONDS, 2 * settings.OPENAI_TIMEOUT))


# Queueing ----------------------------------------------------------------------------------


def queue_summary(session: Session, previous: Status) -> None:
    """After a session ended (any way it ended): its recap, queued once."""
    try:
        with transaction.atomic():
            # One hook at a time per session; the one-to-one row does the rest.
            Session.objects.select_for_update().filter(pk=session.pk).first()
            summary, created = Summary.objects.get_or_create(
                session_id=session.pk, defaults={"queued_at": timezone.now()}
            )
            if created:
                transaction.on_commit(lambda: _enqueue(summary.pk))
                announce_on_commit(session.pk, session.public_id)
    except Exception:
        # Ending the session must not fail because of its recap: the sweep makes up for it.
        logger.exception("Could not queue the recap of session %s", session.public_id)


def _enqueue(summary_pk: int) -> None:
    from summaries.tasks import make_summary

    try:
        enqueue(make_summary, summary_pk)
    except Exception:
        logger.exception("Could not queue recap %s; the sweep will", summary_pk)


# Claiming ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    summary_pk: int
    token: str


def claim(summary_pk: int) -> Claim | None:
    """Take the recap if nobody holds it (or its holder went quiet); None if someone does."""
    now = timezone.now()
    stale = now - stale_after()
    token = secrets.token_hex(8)
    claimable = Q(status=Summary.Status.PENDING, claimed_at__isnull=True) | Q(
        status__in=(Summary.Status.PENDING, Summary.Status.RUNNING), claimed_at__lt=stale
    )
    taken = Summary.objects.filter(
        claimable, pk=summary_pk, attempts__lt=settings.SUMMARY_MAX_ATTEMPTS
    ).update(
        status=Summary.Status.RUNNING,
        maker=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        progress=5,
        stage="Reading the conversation",
        version=F("version") + 1,
    )
    if not taken:
        return None
    _announce(summary_pk)
    return Claim(summary_pk, token)


def heartbeat(claim: Claim, *, progress: int | None = None, stage: str = "") -> None:
    """Still ours? Raises LostClaim if not; optionally says how far along it is."""
    changes: dict[str, Any] = {"claimed_at": timezone.now()}
    if progress is not None:
        changes.update(progress=progress, stage=stage, version=F("version") + 1)
    held = Summary.objects.filter(
        pk=claim.summary_pk, maker=claim.token, status=Summary.Status.RUNNING
    ).update(**changes)
    if not held:
        raise LostClaim
    if progress is not None:
        _announce(claim.summary_pk)


def _announce(summary_pk: int) -> None:
    row = (
        Summary.objects.filter(pk=summary_pk)
        .values_list("session_id", "session__public_id")
        .first()
    )
    if row:
        announce_on_commit(row[0], row[1])


# Making ------------------------------------------------------------------------------------


@dataclass
class Recap:
    consensus: str
    agreements: list[dict[str, str]]
    action_items: list[dict[str, str]]
    open_points: list[str]
    talk: dict[str, Any]
    made_offline: bool
    offline_because: str = ""
    model_name: str = ""


def make(summary_pk: int) -> None:
    """The task's work: make the recap if nobody else is, and store it if still ours."""
    held = claim(summary_pk)
    if held is None:
        return
    try:
        recap = _compose(held)
        _store(held, recap)
    except LostClaim:
        return
    except RecapWriterError as exc:
        _fail(held, f"The recap could not be written: {exc.reason}")
    except Exception:
        if not _still_ours(held):
            return  # the session (and its recap) was deleted meanwhile
        logger.exception("Making recap %s failed", summary_pk)
        _fail(held, "Something went wrong while making the recap.")


def _still_ours(held: Claim) -> bool:
    return Summary.objects.filter(pk=held.summary_pk, maker=held.token).exists()


def _compose(held: Claim) -> Recap:
    summary = Summary.objects.select_related("session__persona").filter(pk=held.summary_pk).first()
    if summary is None:
        raise LostClaim
    session = summary.session
    _wait_for_the_last_words(held, session)
    people = sorted(session.participants.all(), key=lambda p: p.role != Role.CREATOR)
    lines = facilitation.transcript_for(session)
    interventions = _interventions(session)
    talk = talk_over_time(
        [Utterance(line.participant_id or "", line.start_ms, line.end_ms) for line in lines],
        (people[0].public_id, people[1].public_id),
        _duration_ms(session, lines),
    )
    talk["interventions"] = interventions
    words = transcript.spoken(lines)
    names = (people[0].display_name, people[1].display_name)
    because = (
        ASKED_OFFLINE
        if summary.offline_requested
        else NO_TRANSCRIPT
        if not words
        else ""
        if adapters.LANGUAGE.available
        else NO_KEY
    )
    if because:
        heartbeat(held, progress=50, stage="Finding agreements and next steps")
        return _offline(session, names, words, talk, because)
    return _written(held, session, names, words, talk)


def _wait_for_the_last_words(held: Claim, session: Session) -> None:
    # A run notices the end within a second or so and may still save what was said then.
    deadline = time.monotonic() + SETTLE_S
    while not facilitation.run_finished(session) and time.monotonic() < deadline:
        heartbeat(held)
        time.sleep(SETTLE_POLL_S)


def _duration_ms(session: Session, lines: list[TranscriptLine]) -> int:
    """The session's length on its own clock (a simulation's clock runs faster than life)."""
    known = [line.end_ms for line in lines]
    known += session.events.filter(at_ms__isnull=False).values_list("at_ms", flat=True)
    rate = facilitation.clock_rate(session)
    if session.started_at and session.ended_at and rate > 0:
        known.append(int((session.ended_at - session.started_at).total_seconds() * 1000 * rate))
    return max(known, default=0)


def _interventions(session: Session) -> list[dict[str, Any]]:
    given: dict[str, dict[str, Any]] = {}
    for event in session.events.filter(type__in=(INTERVENTION, INTERVENTION_ACK)).order_by("seq"):
        data = event.data
        if event.type == INTERVENTION and data.get("id"):
            given[data["id"]] = {
                "id": data["id"],
                "type": data.get("type", ""),
                "modality": data.get("modality", ""),
                "message": data.get("message", ""),
                "targetParticipant": data.get("targetParticipant"),
                "atMs": event.at_ms,
                "acks": [],
            }
        elif event.type == INTERVENTION_ACK and data.get("interventionId") in given:
            given[data["interventionId"]]["acks"].append(
                {"participantId": data.get("participantId"), "action": data.get("action")}
            )
    return list(given.values())


def _offline(
    session: Session,
    names: tuple[str, str],
    words: list[TranscriptLine],
    talk: dict[str, Any],
    because: str,
) -> Recap:
    roles = {p.public_id: p.role for p in session.participants.all()}
    turns = [
        offline.Turn(roles.get(line.participant_id or "", ""), line.speaker, line.text)
        for line in words
    ]
    findings = offline.find(turns) if words else None
    text = offline.consensus(
        names=names,
        goal=session.goal,
        minutes=round(talk["durationMs"] / 60_000),
        shares=talk["shares"],
        balance_label=BALANCE_LABELS.get(talk["status"], ""),
        interventions=len(talk["interventions"]),
        findings=findings,
    )
    findings = findings or offline.Findings()
    return Recap(
        consensus=text,
        agreements=findings.agreements,
        action_items=findings.action_items,
        open_points=findings.open_points,
        talk=talk,
        made_offline=True,
        offline_because=because,
    )


def _written(
    held: Claim,
    session: Session,
    names: tuple[str, str],
    words: list[TranscriptLine],
    talk: dict[str, Any],
) -> Recap:
    labels = names if names[0] != names[1] else (f"{names[0]} (A)", f"{names[1]} (B)")
    by_id = dict(zip(talk["people"], labels, strict=True))
    rows = [transcript.written(line, by_id.get(line.participant_id or "")) for line in words]
    parts = transcript.chunks(rows, settings.SUMMARY_CHUNK_CHARS)
    conversation = Conversation(
        goal=session.goal,
        relationship=session.relationship_context,
        facilitator=session.persona.name,
        people=labels,
    )
    writer = writer_from_settings(before_each_try=lambda: heartbeat(held))
    if len(parts) == 1:
        heartbeat(held, progress=30, stage="Writing the recap")
        draft = writer.draft(conversation, parts[0])
    else:
        drafts = []
        for number, part in enumerate(parts, start=1):
            heartbeat(
                held,
                progress=10 + 70 * (number - 1) // len(parts),
                stage=f"Reading part {number} of {len(parts)} of the conversation",
            )
            drafts.append(writer.draft(conversation, part, (number, len(parts))))
        heartbeat(held, progress=85, stage="Putting the parts together")
        draft = writer.merge(conversation, drafts)
    owners = {labels[0]: Owner.CREATOR, labels[1]: Owner.INVITEE, BOTH: Owner.BOTH}
    return Recap(
        consensus=draft["consensus_summary"],
        agreements=draft["key_agreements"],
        action_items=[
            {**item, "owner": owners.get(item["owner"], Owner.UNASSIGNED)}
            for item in draft["action_items"]
        ],
        open_points=draft["open_disagreements"],
        talk=talk,
        made_offline=False,
        model_name=settings.OPENAI_MODEL,
    )


def kept_hedged(item: dict[str, str]) -> str:
    """An action item is committed only if neither its words nor its source hedge."""
    hedged = language.is_hedged(item.get("text", "")) or language.is_hedged(item.get("quote", ""))
    return Commitment.TENTATIVE if hedged else item.get("commitment", Commitment.COMMITTED)


def _store(held: Claim, recap: Recap) -> None:
    with transaction.atomic():
        summary = (
            Summary.objects.select_for_update()
            .select_related("session")
            .filter(pk=held.summary_pk, maker=held.token, status=Summary.Status.RUNNING)
            .first()
        )
        if summary is None:
            raise LostClaim
        summary.status = Summary.Status.READY
        summary.progress, summary.stage, summary.reason = 100, "", ""
        summary.consensus = recap.consensus
        summary.open_points = recap.open_points
        summary.talk = recap.talk
        summary.made_offline = recap.made_offline
        summary.offline_because = recap.offline_because
        summary.model_name = recap.model_name
        summary.ready_at = timezone.now()
        summary.version += 1
        summary.save()
        Agreement.objects.bulk_create(
            Agreement(
                summary=summary,
                position=index,
                title=item["title"][:200],
                description=item["description"][:1000],
            )
            for index, item in enumerate(recap.agreements)
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                summary=summary,
                position=index,
                text=item["text"][:300],
                owner=item["owner"],
                commitment=kept_hedged(item),
                quote=item.get("quote", ""),
            )
            for index, item in enumerate(recap.action_items)
        )
        announce_on_commit(summary.session_id, summary.session.public_id)


def _fail(held: Claim, reason: str) -> None:
    failed = Summary.objects.filter(
        pk=held.summary_pk, maker=held.token, status=Summary.Status.RUNNING
    ).update(
        status=Summary.Status.FAILED,
        reason=reason,
        progress=0,
        stage="",
        version=F("version") + 1,
    )
    if failed:
        _announce(held.summary_pk)


# Again -------------------------------------------------------------------------------------


def retry(summary: Summary, *, offline: bool = False) -> bool:
    """Queue a failed recap again (without AI if `offline`); False if it had not failed."""
    with transaction.atomic():
        again = Summary.objects.filter(pk=summary.pk, status=Summary.Status.FAILED).update(
            status=Summary.Status.PENDING,
            reason="",
            progress=0,
            stage="",
            attempts=0,
            maker="",
            claimed_at=None,
            queued_at=timezone.now(),
            offline_requested=offline,
            version=F("version") + 1,
        )
        if again:
            transaction.on_commit(lambda: _enqueue(summary.pk))
            announce_on_commit(summary.session_id, summary.session.public_id)
    return bool(again)


def sweep() -> int:
    """Hands lost recaps to a new maker; returns how many it queued or gave up on."""
    now = timezone.now()
    stale = now - stale_after()
    handled = 0
    in_the_making = (Summary.Status.PENDING, Summary.Status.RUNNING)
    lost = Summary.objects.filter(status__in=in_the_making).filter(
        Q(claimed_at__lt=stale)
        | Q(claimed_at__isnull=True, queued_at__lt=stale)
        | Q(claimed_at__isnull=True, queued_at__isnull=True)
    )
    for summary in lost:
        if summary.attempts >= settings.SUMMARY_MAX_ATTEMPTS:
            gave_up = Summary.objects.filter(
                pk=summary.pk, status__in=in_the_making, version=summary.version
            ).update(
                status=Summary.Status.FAILED,
                reason=f"The recap's maker stopped {summary.attempts} times before finishing.",
                progress=0,
                stage="",
                version=F("version") + 1,
            )
            if gave_up:
                _announce(summary.pk)
                handled += 1
            continue
        if summary.claimed_at is None:
            Summary.objects.filter(pk=summary.pk).update(queued_at=now)
        _enqueue(summary.pk)
        handled += 1
    return handled + _queue_missing(now)


def _queue_missing(now: Any) -> int:
    """Ended sessions with no recap and none deleted: their hook never ran (a crash)."""
    missing = (
        Session.objects.filter(
            ended_at__isnull=False,
            ended_at__lt=now - stale_after(),
            ended_at__gt=now - timedelta(days=settings.RETENTION_DAYS),
            summary__isnull=True,
        )
        .exclude(events__type=RECAP_DELETED)
        .distinct()
    )
    for session in missing:
        queue_summary(session, Status(session.status))
    return len(missing)
