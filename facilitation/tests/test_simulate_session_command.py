"""simulate_session plays scripts through the live path (run, event log) exactly as specified."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from facilitation.models import FacilitationRun, TranscriptSegment
from facilitation.tests.test_simulation_scripts import EXPECTED, SCRIPTS
from sessions.models import Role, Session, SessionEvent, Status

pytestmark = pytest.mark.django_db(transaction=True)


def _simulate(*args: str) -> list[dict]:
    out = StringIO()
    call_command("simulate_session", *args, "--speed", "0", "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_script_gives_its_exact_interventions(persona, name):
    events = _simulate("--script", str(SCRIPTS / name))
    session = Session.objects.get()
    invitee = session.participants.get(role=Role.INVITEE).public_id
    keys = {invitee: "b", session.participants.get(role=Role.CREATOR).public_id: "a", None: None}
    interventions = [
        (e["data"]["type"], e["at"], e["data"]["modality"], keys[e["data"]["targetParticipant"]])
        for e in events
        if e["type"] == "intervention"
    ]
    assert interventions == EXPECTED[name]


def test_the_json_lines_are_the_event_log_in_order(persona):
    events = _simulate("--script", str(SCRIPTS / "one_sided.yaml"))
    session = Session.objects.get()
    logged = list(SessionEvent.objects.filter(session=session, seq__gte=events[0]["seq"]))
    assert [e["seq"] for e in events] == [e.seq for e in logged]
    assert [e["data"] for e in events] == [e.data for e in logged]
    assert set(events[0]) == {"seq", "type", "at", "data"}
    assert events[0]["data"]["status"] == "in_progress" and events[0]["at"] == 0.0
    assert events[-1]["data"]["status"] == "ended"
    ats = [e["at"] for e in events]
    assert ats == sorted(ats)
    session.refresh_from_db()
    assert session.status == Status.ENDED
    assert FacilitationRun.objects.get().state == FacilitationRun.State.FINISHED


def test_the_transcript_is_kept_with_the_speakers(persona):
    _simulate("--script", str(SCRIPTS / "balanced.yaml"))
    segments = list(TranscriptSegment.objects.order_by("start_ms"))
    assert len(segments) > 10
    assert segments[0].text and segments[0].source == "simulation"
    assert {s.participant.role for s in segments} == {"creator", "invitee"}


def test_it_plays_in_an_existing_ready_session(make_session):
    session, _ = make_session(consented=True)
    events = _simulate("--script", str(SCRIPTS / "balanced.yaml"), f"--session={session.public_id}")
    assert events[0]["seq"] == session.last_event_seq + 1
    session.refresh_from_db()
    assert session.status == Status.ENDED


def test_it_refuses_a_session_that_is_not_ready(make_session):
    session, _ = make_session()
    with pytest.raises(CommandError, match="not ready"):
        _simulate("--script", str(SCRIPTS / "balanced.yaml"), f"--session={session.public_id}")
    with pytest.raises(CommandError, match="No session"):
        _simulate("--script", str(SCRIPTS / "balanced.yaml"), "--session=nope")


def test_a_broken_script_is_explained(tmp_path: Path, persona):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "title: x\nduration_minutes: 10\nparticipants: {a: A, b: B}\nturns:\n"
        "  - {speaker: c, start: 0, end: 1, text: hi}\n"
    )
    with pytest.raises(CommandError, match=r"broken\.yaml"):
        _simulate("--script", str(broken))
    with pytest.raises(CommandError):
        _simulate("--script", str(tmp_path / "missing.yaml"))
    assert not Session.objects.exists()


def test_a_negative_speed_is_refused(persona):
    with pytest.raises(CommandError, match="speed"):
        call_command(
            "simulate_session", "--script", str(SCRIPTS / "balanced.yaml"), "--speed", "-1"
        )
