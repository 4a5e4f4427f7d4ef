import secrets

from django.db import models


class TranscriptSegment(models.Model):
    """One finished utterance: who spoke, when (ms on the session clock), and what if known.

    Without a transcript (VAD-only talk measurement) `text` is empty: the timing alone is
    what balance, restarts and the recap's talk-over-time chart need.
    """

    class Source(models.TextChoices):
        SIMULATION = "simulation"
        BROWSER = "browser"
        MEETING_BOT = "meeting_bot"

    session = models.ForeignKey(
        "diadi_sessions.Session", on_delete=models.CASCADE, related_name="transcript"
    )
    participant = models.ForeignKey(
        "diadi_sessions.Participant", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    start_ms = models.PositiveIntegerField()
    end_ms = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)

    class Meta:
        ordering = ["session", "start_ms"]
        indexes = [models.Index(fields=["session", "start_ms"])]

    def __str__(self) -> str:
        return f"{self.start_ms}-{self.end_ms} ms"


def new_owner_token() -> str:
    return secrets.token_hex(8)


class FacilitationRun(models.Model):
    """The one facilitation run of a live session, and how to rebuild it if its worker dies."""

    class State(models.TextChoices):
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"

    session = models.OneToOneField(
        "diadi_sessions.Session", on_delete=models.CASCADE, related_name="facilitation_run"
    )
    source = models.JSONField(help_text="What feeds the run, e.g. a simulation script.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    # Changes whenever the watchdog hands the run to a new worker; the old one then stops.
    owner = models.CharField(max_length=32, default=new_owner_token)
    attempts = models.PositiveSmallIntegerField(default=1)
    heartbeat_at = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Run of {self.session_id} ({self.state})"
