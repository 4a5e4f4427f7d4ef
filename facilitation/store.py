"""The facilitation run's reads and writes: plain synchronous ORM, called via sync_to_async.

Everything a run knows can be rebuilt from here (the event log and the speech segments),
which is what lets the watchdog restart a run on another worker.
"""

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from facilitation.engine import Event, ParticipantInfo, Toggles
from facilitation.models import FacilitationRun, TranscriptSegment, new_owner_token
from sessions.errors import SessionError
from sessions.events import append_event
from sessions.models import LIVE_STATUSES, Role, Session, Status
from sessions.state import Action, transition

# Only these engine events may be written while the facilitator is paused (kill switch).
ALLOWED_WHILE_PAUSED = {"time_remaining", "ai_status"}
HEARTBEAT_STALE_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class SessionState:
    status: str
    toggles: Toggles

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def paused(self) -> bool:
        return self.status == Status.PAUSED


@dataclass
class RunContext:
    run_id: int
    owner: str
    session_pk: int
    public_id: str
    goal: str
    duration_ms: int
    started_at: datetime
    participants: tuple[ParticipantInfo, ParticipantInfo]
    participant_pks: dict[str, int]
    templates: dict[str, str]
    source: dict
    state: SessionState
    segments: list[tuple[str, int, int]] = field(default_factory=list)
    past_events: list[Event] = field(default_factory=list)


def session_state(session_pk: int) -> SessionState | None:
    session = Session.objects.filter(pk=session_pk).first()
    if session is None:
        return None
    return SessionState(status=session.status, toggles=session.toggles)


def load(run_id: int, owner: str) -> RunContext | None:
    """Everything a (re)starting run needs; None if the run is gone or owned by another."""
    run = (
        FacilitationRun.objects.select_related("session", "session__persona")
        .filter(pk=run_id, owner=owner, state=FacilitationRun.State.RUNNING)
        .first()
    )
    if run is None:
        return None
    session = run.session
    people = sorted(session.participants.all(), key=lambda p: p.role != Role.CREATOR)
    infos = tuple(ParticipantInfo(id=p.public_id, name=p.display_name) for p in people)
    by_pk = {p.pk: p.public_id for p in people}
    return RunContext(
        run_id=run.pk,
        owner=owner,
        session_pk=session.pk,
        public_id=session.public_id,
        goal=session.goal,
        duration_ms=session.duration_minutes * 60_000,
        started_at=session.started_at or timezone.now(),
        participants=(infos[0], infos[1]),
        participant_pks={p.public_id: p.pk for p in people},
        templates=dict(session.persona.prompt_templates),
        source=run.source,
        state=SessionState(status=session.status, toggles=session.toggles),
        segments=[
            (by_pk[s.participant_id], s.start_ms, s.end_ms)
            for s in session.transcript.filter(participant__isnull=False)
        ],
        past_events=[
            Event(type=e.type, at_ms=e.at_ms, data=e.data)
            for e in session.events.filter(at_ms__isnull=False).order_by("seq")
        ],
    )


def persist(session_pk: int, events: list[Event]) -> int:
    """Append the engine's events; returns how many were written.

    Under the session's row lock, so a kill switch pressed a moment ago always wins: an
    intervention decided just before the pause landed is dropped, never shown after it.
    """
    if not events:
        return 0
    with transaction.atomic():
        session = Session.objects.select_for_update().filter(pk=session_pk).first()
        if session is None or session.status not in LIVE_STATUSES:
            return 0
        written = 0
        for event in events:
            if session.status == Status.PAUSED and event.type not in ALLOWED_WHILE_PAUSED:
                continue
            append_event(session, event.type, event.data, at_ms=event.at_ms)
            written += 1
        return written


def save_segment(
    session_pk: int, participant_pk: int, start_ms: int, end_ms: int, text: str, source: str
) -> None:
    TranscriptSegment.objects.create(
        session_id=session_pk,
        participant_id=participant_pk,
        start_ms=start_ms,
        end_ms=end_ms,
        text=text,
        source=source,
    )


def heartbeat(run_id: int, owner: str) -> bool:
    """Still ours? False once the watchdog handed the run to someone else."""
    return bool(
        FacilitationRun.objects.filter(
            pk=run_id, owner=owner, state=FacilitationRun.State.RUNNING
        ).update(heartbeat_at=timezone.now())
    )


def finish(run_id: int, owner: str, *, error: str = "") -> None:
    FacilitationRun.objects.filter(pk=run_id, owner=owner).update(
        state=FacilitationRun.State.FAILED if error else FacilitationRun.State.FINISHED,
        finished_at=timezone.now(),
        last_error=error[:2000],
    )


def create_run(session: Session, source: dict) -> FacilitationRun:
    run, _ = FacilitationRun.objects.update_or_create(
        session=session,
        defaults={
            "source": source,
            "state": FacilitationRun.State.RUNNING,
            "owner": new_owner_token(),
            "heartbeat_at": timezone.now(),
            "finished_at": None,
            "last_error": "",
        },
    )
    return run


def claim_stale_runs() -> list[tuple[int, str]]:
    """Runs of live sessions whose worker stopped beating: take them over, one owner each."""
    stale_before = timezone.now() - HEARTBEAT_STALE_AFTER
    claimed = []
    candidates = FacilitationRun.objects.filter(
        state=FacilitationRun.State.RUNNING,
        heartbeat_at__lt=stale_before,
        session__status__in=LIVE_STATUSES,
    ).values_list("pk", flat=True)
    for run_id in candidates:
        owner = new_owner_token()
        taken = FacilitationRun.objects.filter(
            pk=run_id, state=FacilitationRun.State.RUNNING, heartbeat_at__lt=stale_before
        ).update(owner=owner, heartbeat_at=timezone.now(), attempts=F("attempts") + 1)
        if taken:
            claimed.append((run_id, owner))
    FacilitationRun.objects.filter(state=FacilitationRun.State.RUNNING).exclude(
        session__status__in=LIVE_STATUSES
    ).update(state=FacilitationRun.State.FINISHED, finished_at=timezone.now())
    return claimed


def end_session(session_pk: int, reason: str, at_ms: int) -> None:
    session = Session.objects.filter(pk=session_pk).first()
    if session is not None and session.status in LIVE_STATUSES:
        # Someone may have ended it at the same moment: then there is nothing left to do.
        with contextlib.suppress(SessionError):
            transition(session, Action.END, reason=reason, at_ms=at_ms)
