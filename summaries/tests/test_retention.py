"""Transcripts and recaps are deleted RETENTION_DAYS after their session ended: gone from the
database, by the periodic task."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from facilitation.models import TranscriptSegment
from sessions.models import Session
from summaries import tasks
from summaries.models import ActionItem, Agreement, Rating, Summary
from summaries.tests.conftest import made, people, queued

pytestmark = pytest.mark.django_db


def test_after_the_period_the_transcript_and_recap_rows_are_gone(talked, settings):
    settings.RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        old = talked()
        queued(old)
        made(old)
        Rating.objects.create(session=old, participant=people(old)[0], score=4)
    recent = talked()
    queued(recent)
    made(recent)
    assert Agreement.objects.filter(summary__session=old).exists()

    removed = tasks.purge_expired()
    assert removed > 0
    assert not Summary.objects.filter(session=old).exists()
    assert not Agreement.objects.filter(summary__session=old).exists()
    assert not ActionItem.objects.filter(summary__session=old).exists()
    assert not TranscriptSegment.objects.filter(session=old).exists()
    # The session, its log and the ratings stay; the recent recap is untouched.
    assert Session.objects.filter(pk=old.pk).exists() and Rating.objects.count() == 1
    assert Summary.objects.filter(session=recent).exists()
    assert TranscriptSegment.objects.filter(session=recent).count() == 6


def test_the_period_is_counted_from_the_end_of_the_session(talked, settings):
    settings.RETENTION_DAYS = 30
    session = talked()
    queued(session)
    made(session)
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        tasks.purge_expired()
    assert Summary.objects.filter(session=session).exists()
    assert TranscriptSegment.objects.filter(session=session).exists()
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        tasks.purge_expired()
    assert not Summary.objects.filter(session=session).exists()
    assert not TranscriptSegment.objects.filter(session=session).exists()


def test_live_sessions_keep_their_transcript(talked, settings):
    settings.RETENTION_DAYS = 1
    with time_machine.travel(timezone.now() - timedelta(days=5), tick=False):
        live = talked(end=False)
    tasks.purge_expired()
    assert TranscriptSegment.objects.filter(session=live).count() == 6


def test_the_beat_schedule_runs_the_purge_and_the_sweep():
    from diadi.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"summaries.tasks.purge_expired", "summaries.tasks.sweep"} <= tasks_scheduled
