"""The browser room end to end on the server side: a person's audio socket, their session's
run, the events both rooms get. Real time: the audio is played as a browser sends it."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from facilitation import runners, services
from facilitation.audio.pcm import BYTES_PER_MS
from facilitation.models import FacilitationRun, TranscriptSegment
from facilitation.tests.audio_support import MAYA, TRACKS
from facilitation.tests.socket_support import open_socket
from sessions.models import SessionEvent
from sessions.state import Action, transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

MESSAGE_MS = 40
# Where the listening pipeline may put a turn's edges, against the fixture's truth.
EDGE_MS = 400


async def _stream(socket, pcm: bytes, until_ms: int, *, mute_at_ms: int | None = None) -> None:
    """Maya's microphone as her browser sends it: 40 ms messages, paced by the wall clock."""
    started = time.monotonic()
    for at_ms in range(MESSAGE_MS, until_ms + 1, MESSAGE_MS):
        await asyncio.sleep(max(0.0, started + at_ms / 1000 - time.monotonic()))
        if mute_at_ms is not None and at_ms >= mute_at_ms:
            await socket.send_to(text_data='{"type": "mute", "muted": true}')
            return  # muted: the browser sends nothing more
        chunk = pcm[(at_ms - MESSAGE_MS) * BYTES_PER_MS : at_ms * BYTES_PER_MS]
        await socket.send_to(bytes_data=chunk)


async def _room(make_session, creator):
    session, _ = await sync_to_async(make_session)(consented=True)
    host = runners.new_host()
    await host.start()
    await sync_to_async(services.start)(session, None, host=host.name)
    run = await FacilitationRun.objects.aget(session=session)
    socket = await open_socket(f"/ws/sessions/{session.public_id}/audio/", user=creator)
    assert await host.adopt(run.pk, run.owner)
    await session.arefresh_from_db()
    return session, host, run, socket


async def _statuses(session, participant):
    return [
        (e.at_ms, e.data["status"])
        async for e in SessionEvent.objects.filter(
            session=session, type="participant_status", data__participantId=participant.public_id
        ).order_by("seq")
        if e.data["status"] != "joined"
    ]


async def test_what_a_microphone_hears_is_measured_by_the_run(make_session, creator):
    session, host, run, socket = await _room(make_session, creator)
    # Maya's track from the start of the session: she speaks 0.5-8.5 s.
    offset_ms = int((time.time() - session.started_at.timestamp()) * 1000)
    silence = bytes(offset_ms * BYTES_PER_MS)
    await _stream(socket, silence + TRACKS[MAYA], offset_ms + 10_000)
    await sync_to_async(transition)(session, Action.END)
    await host.join(run.pk)
    await host.shutdown()

    maya = await session.participants.aget(role="creator")
    (start, speaking), (end, listening) = [
        s for s in await _statuses(session, maya) if s[1] in ("speaking", "listening")
    ]
    assert (speaking, listening) == ("speaking", "listening")
    assert abs(start - (offset_ms + 500)) <= EDGE_MS
    assert abs(end - (offset_ms + 8_500)) <= EDGE_MS
    segment = await TranscriptSegment.objects.aget(session=session)
    assert (segment.participant_id, segment.start_ms, segment.end_ms) == (maya.pk, start, end)
    last = await SessionEvent.objects.filter(session=session, type="balance_update").alast()
    assert last.data["participantA"]["percentage"] == 100


async def test_a_muted_microphone_is_shown_and_ends_the_turn(make_session, creator):
    session, host, run, socket = await _room(make_session, creator)
    offset_ms = int((time.time() - session.started_at.timestamp()) * 1000)
    silence = bytes(offset_ms * BYTES_PER_MS)
    # Maya mutes 4 s into her first sentence.
    await _stream(socket, silence + TRACKS[MAYA], offset_ms + 6_000, mute_at_ms=offset_ms + 4_000)
    await asyncio.sleep(1)
    await sync_to_async(transition)(session, Action.END)
    await host.join(run.pk)
    await host.shutdown()

    maya = await session.participants.aget(role="creator")
    statuses = await _statuses(session, maya)
    assert [status for _, status in statuses] == ["speaking", "muted"]
    muted_at = statuses[1][0]
    assert abs(muted_at - (offset_ms + 4_000)) <= EDGE_MS
    segment = await TranscriptSegment.objects.aget(session=session)
    assert segment.end_ms == muted_at
