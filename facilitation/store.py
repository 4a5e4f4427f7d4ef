"""The facilitation run's reads and writes: plain synchronous ORM, called from a run host's
database threads.

Everything a run knows can be rebuilt from here: its source and how far it was played, the
inputs it fed its engine and when (RunInput), and the last tick it persisted. That is what
lets the watchdog give a run to another worker, which replays those inputs and continues
exactly where the old run stopped.

A run owns its session through a lease: an owner token, and a heartbeat its host renews.
Every write is fenced: under the session's row lock, it updates the run's row only if the
run still holds the token, in the same transaction as the events. A stale run, a redelivered
hand-out or a run whose session was deleted can therefore never write anything.
"""

import contextlib
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from diadi.bulk import update_rows
from facilitation.engine import Event, ParticipantInfo, Signals, Toggles
from facilitation.engine.conductor import Fed
from facilitation.engine.inputs import (
    Input,
    MicrophoneChanged,
    Observed,
    Paused,
    Resumed,
    SpeakersSwapped,
    SpeechStarted,
    SpeechStopped,
    TogglesChanged,
)
from facilitation.models import FacilitationRun, RunInput, TranscriptSegment, new_owner_token
from sessions.errors import SessionError
from sessions.events import (
    SESSION_STATE,
    SETTINGS_CHANGED,
    SPEAKERS_SWAPPED,
    append_events_of_many,
)
from sessions.models import LIVE_STATUSES, Participant, Role, Session, SessionEvent, Status
from sessions.state import Action, transition

# Only these engine events may be written while the facilitator is paused (kill switch): a
# prompt decided a moment before the pause reached the run is dropped, never shown after it.
ALLOWED_WHILE_PAUSED = {"time_remaining", "ai_status", "participant_status"}
CONTROL_TYPES = (SESSION_STATE, SETTINGS_CHANGED, SPEAKERS_SWAPPED)


class LeaseLost(Exception):
    """Another run holds this session now (or the session is gone): stop, write nothing."""


def lease_stale_after() -> timedelta:
    return timedelta(seconds=settings.RUN_LEASE_SECONDS)


@dataclass(frozen=True)
class Segment:
    participant_id: str
    start_ms: int
    end_ms: int
    text: str = ""


@dataclass(frozen=True)
class Control:
    """A logged change the run must apply: a status move or live settings, by seq."""

    seq: int
    type: str
    at_ms: int | None
    data: dict


@dataclass
class RunContext:
    """What a (re)starting run needs, read in one go."""

    run_id: int
    holder: str
    session_pk: int
    public_id: str
    status: str
    goal: str
    duration_ms: int
    started_at_s: float
    clock_rate: float
    participants: tuple[ParticipantInfo, ParticipantInfo]
    participant_pks: dict[str, int]
    templates: dict[str, str]
    source: dict
    toggles_at_start: Toggles
    # Where the previous holder of the lease got to (all zero / empty on a first start).
    fed: list[Fed] = field(default_factory=list)
    played_ms: int = -1
    source_position: int = 0
    applied_seq: int = 0


@dataclass
class Batch:
    """One fenced write: what a run produced since its last write, and how far it got."""

    events: list[Event]
    fed: list[Fed]
    segments: list[Segment]
    played_ms: int
    source_position: int
    applied_seq: int
    # The position the first of `fed` takes among the run's kept inputs.
    first_input: int = 0

    def __bool__(self) -> bool:
        return bool(self.events or self.fed or self.segments)


# Inputs as rows ---------------------------------------------------------------------------


def _input_row(item: Input) -> tuple[str, dict]:
    """An input as (kind, data). The words of an utterance are never kept here: a rebuilt
    engine only needs what the classifier read in them."""
    if isinstance(item, SpeechStarted):
        return "speech_started", {"at": item.at_ms, "participant": item.participant_id}
    if isinstance(item, SpeechStopped):
        return "speech_stopped", {"at": item.at_ms, "participant": item.participant_id}
    if isinstance(item, Observed):
        data = {"at": item.at_ms, "participant": item.participant_id}
        return "observed", {**data, "signals": asdict(item.signals)}
    if isinstance(item, MicrophoneChanged):
        data = {"at": item.at_ms, "participant": item.participant_id}
        return "microphone", {**data, "status": item.status}
    if isinstance(item, Paused):
        return "paused", {"at": item.at_ms}
    if isinstance(item, Resumed):
        return "resumed", {"at": item.at_ms}
    if isinstance(item, SpeakersSwapped):
        return "swapped", {"at": item.at_ms}
    return "toggles", {"at": item.at_ms, "toggles": asdict(item.toggles)}


def _input_from_row(kind: str, data: dict) -> Input:
    at = data["at"]
    if kind == "speech_started":
        return SpeechStarted(at, data["participant"])
    if kind == "speech_stopped":
        return SpeechStopped(at, data["participant"])
    if kind == "observed":
        return Observed(at, data["participant"], Signals(**data["signals"]))
    if kind == "microphone":
        return MicrophoneChanged(at, data["participant"], data["status"])
    if kind == "paused":
        return Paused(at)
    if kind == "resumed":
        return Resumed(at)
    if kind == "toggles":
        return TogglesChanged(at, Toggles(**data["toggles"]))
    if kind == "swapped":
        return SpeakersSwapped(at)
    raise ValueError(f"unknown run input {kind!r}")


# The lease --------------------------------------------------------------------------------


def create_run(session: Session, source: dict, *, host: str = "") -> FacilitationRun:
    """Record the session's run: handed out under a fresh token for any host to claim, or,
    with `host`, held by that host from the start."""
    run, _ = FacilitationRun.objects.update_or_create(
        session=session,
        defaults={
            "source": source,
            "toggles_at_start": asdict(session.toggles),
            "applied_seq": session.last_event_seq,
            "played_ms": -1,
            "source_position": 0,
            "state": FacilitationRun.State.RUNNING,
            "owner": new_owner_token(),
            "host": host,
            "heartbeat_at": timezone.now(),
            "finished_at": None,
            "last_error": "",
        },
    )
    run.inputs.all().delete()
    return run


def claim(run_id: int, token: str, host: str) -> str | None:
    """Take a handed-out run: its token is swapped for this host's own, so a second delivery
    of the same hand-out finds it gone. Returns the token to write with, or None."""
    holder = new_owner_token()
    taken = FacilitationRun.objects.filter(
        pk=run_id,
        owner=token,
        state=FacilitationRun.State.RUNNING,
        session__status__in=LIVE_STATUSES,
    ).update(owner=holder, host=host, heartbeat_at=timezone.now())
    return holder if taken else None


def heartbeat(host: str, run_ids: list[int]) -> set[int]:
    """Renew the lease of every run this host holds; returns those it still holds.

    The rows are locked in key order, as a round of writes locks them: an UPDATE of them all
    at once locks them in whatever order it finds them, and deadlocked with a round (seen at
    500 runs), which left every lease unrenewed for a beat."""
    with transaction.atomic():
        held = list(
            FacilitationRun.objects.select_for_update()
            .filter(pk__in=run_ids, host=host, state=FacilitationRun.State.RUNNING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        FacilitationRun.objects.filter(pk__in=held).update(heartbeat_at=timezone.now())
    return set(held)


def release(host: str) -> int:
    """A host shutting down gives its runs up at once: the watchdog hands them out again on
    its next round instead of waiting for their leases to go stale."""
    return FacilitationRun.objects.filter(host=host, state=FacilitationRun.State.RUNNING).update(
        heartbeat_at=timezone.now() - lease_stale_after() * 2, host=""
    )


def finish(run_id: int, holder: str, *, error: str = "") -> None:
    """The run is over: what it kept for a takeover is no longer needed."""
    with transaction.atomic():
        done = FacilitationRun.objects.filter(pk=run_id, owner=holder).update(
            state=FacilitationRun.State.FAILED if error else FacilitationRun.State.FINISHED,
            finished_at=timezone.now(),
            last_error=error[:2000],
        )
        if done:
            RunInput.objects.filter(run_id=run_id).delete()


def drop(run_id: int, holder: str, error: str) -> None:
    """A run that failed: handed out again for the watchdog to rebuild, unless it failed
    too often already (a fault that a rebuild would only repeat)."""
    run = FacilitationRun.objects.filter(pk=run_id, owner=holder).first()
    if run is None:
        return
    if run.attempts >= settings.RUN_MAX_ATTEMPTS:
        finish(run_id, holder, error=error)
        return
    FacilitationRun.objects.filter(pk=run_id, owner=holder).update(
        heartbeat_at=timezone.now() - lease_stale_after() * 2, host="", last_error=error[:2000]
    )


def stale_runs() -> list[tuple[int, str]]:
    """Runs of live sessions whose lease went stale (their host died, or nobody claimed the
    hand-out): each is handed out again under a new token (the old holder's next write is
    refused). Runs of sessions no longer live are closed."""
    stale_before = timezone.now() - lease_stale_after()
    handed_out = []
    candidates = FacilitationRun.objects.filter(
        state=FacilitationRun.State.RUNNING,
        heartbeat_at__lt=stale_before,
        session__status__in=LIVE_STATUSES,
    ).values_list("pk", flat=True)
    for run_id in candidates:
        token = new_owner_token()
        taken = FacilitationRun.objects.filter(
            pk=run_id, state=FacilitationRun.State.RUNNING, heartbeat_at__lt=stale_before
        ).update(owner=token, host="", heartbeat_at=timezone.now(), attempts=F("attempts") + 1)
        if taken:
            handed_out.append((run_id, token))
    over = list(
        FacilitationRun.objects.filter(state=FacilitationRun.State.RUNNING)
        .exclude(session__status__in=LIVE_STATUSES)
        .values_list("pk", flat=True)
    )
    if over:
        FacilitationRun.objects.filter(pk__in=over).update(
            state=FacilitationRun.State.FINISHED, finished_at=timezone.now()
        )
        RunInput.objects.filter(run_id__in=over).delete()
    return handed_out


def unclaimed_runs() -> list[tuple[int, str]]:
    """Hand-outs of live sessions nobody holds yet, oldest first."""
    return list(
        FacilitationRun.objects.filter(
            host="", state=FacilitationRun.State.RUNNING, session__status__in=LIVE_STATUSES
        )
        .order_by("heartbeat_at")
        .values_list("pk", "owner")
    )


def holder_of(run_id: int) -> str | None:
    """Which host holds the run now ("" while handed out), None once it is over."""
    return (
        FacilitationRun.objects.filter(pk=run_id, state=FacilitationRun.State.RUNNING)
        .values_list("host", flat=True)
        .first()
    )


# Reads ------------------------------------------------------------------------------------


def load(run_id: int, holder: str) -> RunContext | None:
    """Everything a (re)starting run needs; None if the run is over or held by another."""
    run = (
        FacilitationRun.objects.select_related("session", "session__persona")
        .filter(pk=run_id, owner=holder, state=FacilitationRun.State.RUNNING)
        .first()
    )
    if run is None or run.session.status not in LIVE_STATUSES:
        return None
    session = run.session
    people = sorted(session.participants.all(), key=lambda p: p.role != Role.CREATOR)
    infos = tuple(ParticipantInfo(id=p.public_id, name=p.display_name) for p in people)
    started_at = session.started_at or timezone.now()
    return RunContext(
        run_id=run.pk,
        holder=holder,
        session_pk=session.pk,
        public_id=session.public_id,
        status=session.status,
        goal=session.goal,
        duration_ms=session.duration_minutes * 60_000,
        started_at_s=started_at.timestamp(),
        clock_rate=session.clock_rate,
        participants=(infos[0], infos[1]),
        participant_pks={p.public_id: p.pk for p in people},
        templates=dict(session.persona.prompt_templates),
        source=run.source,
        toggles_at_start=Toggles(**run.toggles_at_start)
        if run.toggles_at_start
        else session.toggles,
        fed=[
            (row.fed_ms, _input_from_row(row.kind, row.data))
            for row in run.inputs.order_by("position")
        ],
        played_ms=run.played_ms,
        source_position=run.source_position,
        applied_seq=run.applied_seq,
    )


def controls_since(session_pk: int, after_seq: int) -> list[Control] | None:
    """Status moves and settings changes logged after `after_seq`; None once the session is
    gone. The run hears of them by push; this is how it catches up on one it missed."""
    return controls_of_many({session_pk: after_seq})[session_pk]


def controls_of_many(after: dict[int, int]) -> dict[int, list[Control] | None]:
    """controls_since for many sessions ({session pk: seq}) in two queries, not two each:
    a host catches up on what the channel layer lost for all its runs at once. A session's
    controls are a handful (its status moves and settings changes), so reading them all from
    the lowest seq asked and leaving out what each run already has costs little."""
    existing = set(Session.objects.filter(pk__in=after).values_list("pk", flat=True))
    if not existing:
        return dict.fromkeys(after)
    found: dict[int, list[Control]] = {pk: [] for pk in existing}
    rows = (
        SessionEvent.objects.filter(
            session_id__in=existing, type__in=CONTROL_TYPES, seq__gt=min(after.values())
        )
        .order_by("session_id", "seq")
        .values_list("session_id", "seq", "type", "at_ms", "data")
    )
    for session_pk, seq, type_, at_ms, data in rows:
        if seq > after[session_pk]:
            found[session_pk].append(Control(seq, type_, at_ms, data))
    return {pk: found.get(pk) for pk in after}


# The one write ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One run's write: what it produced (`batch`), under the lease it holds."""

    run_id: int
    holder: str
    session_pk: int
    batch: Batch
    source_kind: str


def write(run_id: int, holder: str, session_pk: int, batch: Batch, source_kind: str) -> list[Event]:
    """One run's write (see `write_many`): the events written, or LeaseLost raised."""
    (result,) = write_many([Write(run_id, holder, session_pk, batch, source_kind)])
    if isinstance(result, BaseException):
        raise result
    return result


def write_many(writes: list[Write]) -> list[list[Event] | Exception]:
    """Append the runs' events, the inputs they fed and their finished speech, each fenced,
    in one transaction: a host gathers the writes of its runs that come while the previous
    ones commit, so hundreds of runs cost a few statements a round, not a few each.

    For each write, in order: the events written (a prompt that lands after the kill switch
    is not), or LeaseLost when that run may no longer write (another holds the lease, or the
    session ended or was deleted); its batch is then dropped and the others' stand. Should
    the database refuse the whole round, each write is tried on its own, so one run's fault
    stays its own.
    """
    try:
        return _write_together(writes)
    except DatabaseError:
        if len(writes) == 1:
            raise
    results: list[list[Event] | Exception] = []
    for one in writes:
        try:
            results += _write_together([one])
        except DatabaseError as exc:
            results.append(exc)
    return results


def _write_together(writes: list[Write]) -> list[list[Event] | Exception]:
    # The sessions' row locks come first, as every other writer of a session takes them, so a
    # kill switch pressed a moment ago always wins and a deletion waits for this write or
    # makes it find nothing. Rows are locked in key order: two rounds never wait on each other.
    with transaction.atomic():
        sessions = {
            session.pk: session
            for session in Session.objects.select_for_update()
            .filter(pk__in={w.session_pk for w in writes})
            .order_by("pk")
            .only("pk", "public_id", "status", "last_event_seq", "started_at", "clock_rate")
        }
        owners = dict(
            FacilitationRun.objects.select_for_update()
            .filter(pk__in={w.run_id for w in writes}, state=FacilitationRun.State.RUNNING)
            .order_by("pk")
            .values_list("pk", "owner")
        )
        held = [
            w
            for w in writes
            if owners.get(w.run_id) == w.holder
            and w.session_pk in sessions
            and sessions[w.session_pk].status in LIVE_STATUSES
        ]
        update_rows(
            FacilitationRun,
            ["played_ms", "source_position", "applied_seq"],
            [
                (w.run_id, w.batch.played_ms, w.batch.source_position, w.batch.applied_seq)
                for w in held
            ],
        )
        RunInput.objects.bulk_create(
            RunInput(
                run_id=w.run_id,
                position=w.batch.first_input + n,
                fed_ms=fed_ms,
                kind=kind,
                data=data,
            )
            for w in held
            for n, (fed_ms, (kind, data)) in enumerate(
                (fed_ms, _input_row(item)) for fed_ms, item in w.batch.fed
            )
        )
        _keep_speech([w for w in held if w.batch.segments])
        kept = {
            id(w): [
                event
                for event in w.batch.events
                if sessions[w.session_pk].status != Status.PAUSED
                or event.type in ALLOWED_WHILE_PAUSED
            ]
            for w in held
        }
        append_events_of_many(
            [
                (sessions[w.session_pk], [(e.type, e.data, e.at_ms) for e in kept[id(w)]])
                for w in held
            ]
        )
    return [kept.get(id(w), LeaseLost()) for w in writes]


def _keep_speech(writes: list[Write]) -> None:
    if not writes:
        return
    participants = dict(
        Participant.objects.filter(session_id__in={w.session_pk for w in writes}).values_list(
            "public_id", "pk"
        )
    )
    TranscriptSegment.objects.bulk_create(
        TranscriptSegment(
            session_id=w.session_pk,
            participant_id=participants.get(segment.participant_id),
            start_ms=segment.start_ms,
            end_ms=segment.end_ms,
            text=segment.text,
            source=w.source_kind,
        )
        for w in writes
        for segment in w.batch.segments
    )


def end_session(run_id: int, holder: str, session_pk: int, reason: str, at_ms: int) -> None:
    """The run ends the session (the conversation is over), if it still holds the lease."""

    def still_held(_: Session) -> None:
        if not FacilitationRun.objects.filter(
            pk=run_id, owner=holder, state=FacilitationRun.State.RUNNING
        ).exists():
            raise LeaseLost

    session = Session.objects.filter(pk=session_pk).first()
    if session is None or session.status not in LIVE_STATUSES:
        return
    # Someone may have ended it at the same moment: then there is nothing left to do.
    with contextlib.suppress(SessionError, LeaseLost):
        transition(session, Action.END, reason=reason, at_ms=at_ms, guard=still_held)
