"""What the live room reads and changes: settings, prompt acknowledgements, the snapshot."""

from django.db import transaction

from facilitation.engine import LIVE_SWITCHES
from sessions.events import (
    AI_STATUS,
    BALANCE_UPDATE,
    INTERVENTION,
    INTERVENTION_ACK,
    SETTINGS_CHANGED,
    append_event,
)
from sessions.models import Participant, Session, SessionEvent
from sessions.services.presence import is_present

LIVE_SETTINGS = {switch.wire: switch.name for switch in LIVE_SWITCHES}
ACK_ACTIONS = ("dismissed", "followed")


def live_settings(session: Session) -> dict[str, bool]:
    return {wire: getattr(session, field) for wire, field in LIVE_SETTINGS.items()}


def update_live_settings(
    session_pk: int, participant: Participant, changes: dict
) -> SessionEvent | None:
    """Persist new live-room settings (validated by the caller) and tell everyone; None when
    nothing changed (the same values again, or the session is gone), so nothing is logged."""
    with transaction.atomic():
        session = Session.objects.select_for_update().filter(pk=session_pk).first()
        if session is None:
            return None
        changed = [wire for wire, value in changes.items() if live_settings(session)[wire] != value]
        if not changed:
            return None
        for wire in changed:
            setattr(session, LIVE_SETTINGS[wire], changes[wire])
        session.save(update_fields=[LIVE_SETTINGS[wire] for wire in changed])
        return append_event(
            session,
            SETTINGS_CHANGED,
            {**live_settings(session), "participantId": participant.public_id},
        )


def acknowledge_intervention(
    session_pk: int, participant: Participant, intervention_id: str, action: str
) -> SessionEvent | None:
    """Record what a person did with a prompt, once: their first answer stands and is what a
    repeated one returns. None if the session never showed that prompt."""
    with transaction.atomic():
        session = Session.objects.select_for_update().filter(pk=session_pk).first()
        if session is None:
            return None
        if not session.events.filter(type=INTERVENTION, data__id=intervention_id).exists():
            return None
        earlier = session.events.filter(
            type=INTERVENTION_ACK,
            data__interventionId=intervention_id,
            data__participantId=participant.public_id,
        ).first()
        if earlier is not None:
            return earlier
        return append_event(
            session,
            INTERVENTION_ACK,
            {
                "interventionId": intervention_id,
                "action": action,
                "participantId": participant.public_id,
            },
        )


def snapshot(session: Session) -> dict[str, object]:
    """The initial session_state a socket receives: enough to draw the room from scratch."""
    participants = list(session.participants.all())
    balance = (
        session.events.filter(type=BALANCE_UPDATE).order_by("-seq").values_list("data", flat=True)
    )
    return {
        "status": session.status,
        "lastSeq": session.last_event_seq,
        "participants": [
            {
                "id": p.public_id,
                "name": p.display_name,
                "role": p.role,
                "consent": p.consent,
                "present": is_present(p),
            }
            for p in participants
        ],
        "settings": live_settings(session),
        "durationMinutes": session.duration_minutes,
        "startedAt": session.started_at.isoformat() if session.started_at else None,
        "balance": balance.first(),
    }


def latest_ai_status(session: Session) -> str:
    latest = (
        session.events.filter(type=AI_STATUS)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    return latest.get("status", "listening") if latest else "listening"
