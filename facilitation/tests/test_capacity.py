"""One worker process hosts many live sessions at once, each facilitated as if alone."""

import time

import pytest

from facilitation import services
from facilitation.models import FacilitationRun
from facilitation.simulation import load_script
from facilitation.sources import SIMULATIONS_DIR, simulation_source
from sessions.models import Role, Session, SessionEvent, Status

pytestmark = pytest.mark.django_db(transaction=True)

SESSIONS = 20
# one_sided.yaml lasts 599 s: 30 s at this speed, on a machine running all twenty at once.
SPEED = 20


def test_one_process_hosts_twenty_sessions_at_once(persona, live_server_url, facilitation_worker):
    script = load_script(SIMULATIONS_DIR / "one_sided.yaml")
    sessions = []
    for _ in range(SESSIONS):
        session = services.create_simulation_session(script)
        services.start(session, None, source=simulation_source(script, speed=SPEED))
        sessions.append(session)

    # Handed out as any started session is (to the server's host in the embedded default,
    # to the Celery worker in production): all twenty end up held by one process at once.
    most_at_once = 0
    for _ in range(1200):
        hosts = list(
            FacilitationRun.objects.filter(state=FacilitationRun.State.RUNNING)
            .exclude(host="")
            .values_list("host", flat=True)
        )
        most_at_once = max(most_at_once, max((hosts.count(h) for h in set(hosts)), default=0))
        if not Session.objects.filter(status__in=(Status.IN_PROGRESS, Status.PAUSED)).exists():
            break
        time.sleep(0.1)
    assert most_at_once == SESSIONS

    for session in sessions:
        session.refresh_from_db()
        assert session.status == Status.ENDED
        invitee = session.participants.get(role=Role.INVITEE).public_id
        prompts = [
            (e.data["type"], e.at_ms, e.data["targetParticipant"] == invitee)
            for e in SessionEvent.objects.filter(session=session, type="intervention")
        ]
        # Facilitated exactly as one_sided.yaml is alone (test_simulation_scripts.py).
        assert prompts == [("balance", 211_000, True), ("balance", 350_000, True)]
        ended = SessionEvent.objects.filter(session=session, type="session_state").last()
        assert ended.data["reason"] == "conversation_finished"
