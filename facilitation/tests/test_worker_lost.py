"""A worker killed in the middle of several sessions: others take its runs over, and each
session is facilitated as if nothing had happened."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from conftest import server_env, start_worker, wait_for
from facilitation import services
from facilitation.models import FacilitationRun
from facilitation.simulation import load_script
from facilitation.sources import SIMULATIONS_DIR, simulation_source
from sessions.models import Role, Session, SessionEvent, Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.USE_REDIS, reason="workers are processes of production mode only"
    ),
]

SESSIONS = 4
SPEED = 10  # one_sided.yaml's 599 s take a minute


def _hosts() -> dict[int, str]:
    return dict(
        FacilitationRun.objects.filter(state=FacilitationRun.State.RUNNING).values_list(
            "pk", "host"
        )
    )


def test_runs_of_a_killed_worker_resume_elsewhere(persona, live_server_url):
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "diadi", "beat", "--loglevel=WARNING"],
        env=server_env(),
    )
    first = start_worker("first")
    second = None
    try:
        script = load_script(SIMULATIONS_DIR / "one_sided.yaml")
        sessions = []
        for _ in range(SESSIONS):
            session = services.create_simulation_session(script)
            services.start(session, None, source=simulation_source(script, speed=SPEED))
            sessions.append(session)
        assert wait_for(lambda: all(_hosts().values()) and len(_hosts()) == SESSIONS, 30)
        doomed = set(_hosts().values())
        assert len(doomed) == 1  # the only worker holds them all

        second = start_worker("second")
        time.sleep(5)  # well into the conversations (50 s of each)
        assert beat.poll() is None
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()

        # The lease (20 s) goes stale, the watchdog hands each run out again, the surviving
        # worker rebuilds them: within 45 s of the kill, every run lives there.
        assert wait_for(
            lambda: (
                not Session.objects.filter(status=Status.IN_PROGRESS).exists()
                or all(host and host not in doomed for host in _hosts().values())
            ),
            45,
        ), f"runs still held by the killed worker after {time.monotonic() - killed_at:.0f} s"
        assert wait_for(lambda: not Session.objects.filter(status=Status.IN_PROGRESS).exists(), 120)
        # Each run, having ended its session, closes itself a moment later.
        assert wait_for(lambda: not _hosts(), 30)
    finally:
        for process in (first, second, beat):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()  # a busy machine: what it was doing no longer matters
                    process.wait()

    for session in sessions:
        invitee = session.participants.get(role=Role.INVITEE).public_id
        events = list(SessionEvent.objects.filter(session=session).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        prompts = [
            (e.data["id"], e.data["type"], e.at_ms, e.data["targetParticipant"] == invitee)
            for e in events
            if e.type == "intervention"
        ]
        # Exactly what one_sided.yaml gives uninterrupted (test_simulation_scripts.py).
        assert prompts == [("int_1", "balance", 211_000, True), ("int_2", "balance", 350_000, True)]
        minutes = [
            (e.data["minutes"], e.data["seconds"]) for e in events if e.type == "time_remaining"
        ]
        # 10:00, 9:00 … 1:00, each once (the conversation is over at 9:59).
        assert minutes == [(m, 0) for m in range(10, 0, -1)]
        assert events[-1].data["reason"] == "conversation_finished"
        run = FacilitationRun.objects.get(session=session)
        assert (run.state, run.attempts) == (FacilitationRun.State.FINISHED, 2)
