import secrets

from django.db import models


class TranscriptSegment(models.Model):
    """One finished utterance: who spoke, when (ms on the session clock), and what if known.

    Without a transcript (VAD-only talk measurement) `text` is empty: the timing alone is
    what balance and the recap's talk-over-time chart need.
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
    return secrets.token_hex(16)


class FacilitationRun(models.Model):
    """The one facilitation run of a live session: who holds it (the lease), and where it got
    to, so that another worker can rebuild it exactly if its host dies."""

    class State(models.TextChoices):
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"

    session = models.OneToOneField(
        "diadi_sessions.Session", on_delete=models.CASCADE, related_name="facilitation_run"
    )
    source = models.JSONField(help_text="What feeds the run, e.g. a simulation script.")
    # The switches when the session started; later changes are among the run's inputs.
    toggles_at_start = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    # The lease (a fencing token): a hand-out names a token, the host that claims it swaps it
    # for its own, and every write checks it in the write's transaction. A redelivered
    # hand-out or a stale host still running can therefore never write.
    owner = models.CharField(max_length=32, default=new_owner_token)
    # Which process holds the lease; empty while handed out and not yet claimed.
    host = models.CharField(max_length=100, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    heartbeat_at = models.DateTimeField()
    # How far the holder got, as of its last write: the session time of its last tick, how
    # many items of its source it had consumed, and the last control event it applied.
    played_ms = models.IntegerField(default=-1)
    source_position = models.PositiveIntegerField(default=0)
    applied_seq = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Run of {self.session_id} ({self.state})"


class RunInput(models.Model):
    """One input a run fed its engine, and the session time it fed it at: replayed in order,
    these rebuild the engine exactly. Kept only while the run lasts; never any words."""

    run = models.ForeignKey(FacilitationRun, on_delete=models.CASCADE, related_name="inputs")
    position = models.PositiveIntegerField()
    fed_ms = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="one_input_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.fed_ms} ms"


def new_bot_reference() -> str:
    return "bot_" + secrets.token_urlsafe(12)


class MeetingBot(models.Model):
    """A facilitator bot MeetingBaas sent into a session's Zoom, Meet or Teams call.

    A session has one bot at a time; a bot that left or failed is kept beside the one sent
    back in after it. Its two secrets (the audio sockets', the callbacks') are stored only
    as SHA-256. The speaker map says which meeting name is which participant, here so every
    process reads the same, and swaps with the labels.
    """

    class Status(models.TextChoices):
        LAUNCHING = "launching"  # asked of MeetingBaas, no answer yet
        JOINING = "joining"
        WAITING_ROOM = "waiting_room"
        IN_CALL = "in_call"
        LEFT = "left"
        FAILED = "failed"

    session = models.ForeignKey(
        "diadi_sessions.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_bots",
    )
    # Still known once the session is deleted, so its bot can be sent away.
    session_public_id = models.CharField(max_length=32, db_index=True)
    reference = models.CharField(max_length=24, unique=True, default=new_bot_reference)
    bot_id = models.CharField(max_length=100, blank=True, db_index=True)
    stream_secret_hash = models.CharField(max_length=64, unique=True)
    callback_secret_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LAUNCHING)
    reason = models.TextField(blank=True)
    # Meeting name (normalised) -> participant public id; names of neither are absent.
    speakers = models.JSONField(default=dict, blank=True)
    leave_requested = models.BooleanField(default=False)
    # When MeetingBaas was last asked to take the bot out (the poll asks again later).
    leave_asked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def is_present(self) -> bool:
        """In the call or on its way there."""
        return self.status in (
            self.Status.LAUNCHING,
            self.Status.JOINING,
            self.Status.WAITING_ROOM,
            self.Status.IN_CALL,
        )
