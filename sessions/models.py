import secrets
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from facilitation.engine import SWITCHES, Toggles

MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 180
GOAL_MAX_LENGTH = 200


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


def new_participant_id() -> str:
    return "p_" + secrets.token_urlsafe(9)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_CONSENT = "pending_consent", "Waiting for consent"
    READY = "ready", "Ready"
    IN_PROGRESS = "in_progress", "In progress"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"
    ARCHIVED = "archived", "Archived"


LIVE_STATUSES = (Status.IN_PROGRESS, Status.PAUSED)
WAITING_STATUSES = (Status.DRAFT, Status.PENDING_CONSENT)


class Platform(models.TextChoices):
    DIADI = "diadi", "Diadi browser room"
    ZOOM = "zoom", "Zoom"
    MEET = "meet", "Google Meet"
    TEAMS = "teams", "Microsoft Teams"


class FacilitatorSwitches(models.Model):
    """One boolean per facilitator switch (facilitation/engine/switches.py), added below."""

    class Meta:
        abstract = True

    @property
    def toggles(self) -> Toggles:
        return Toggles(**{switch.name: getattr(self, switch.name) for switch in SWITCHES})


for _switch in SWITCHES:
    FacilitatorSwitches.add_to_class(_switch.name, models.BooleanField(default=_switch.default))


class Session(FacilitatorSwitches):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="created_sessions"
    )
    title = models.CharField(max_length=120)
    goal = models.CharField(max_length=GOAL_MAX_LENGTH)
    relationship_context = models.CharField(max_length=120)
    platform = models.CharField(max_length=10, choices=Platform.choices, default=Platform.DIADI)
    meeting_url = models.URLField(max_length=500, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[
            MinValueValidator(MIN_DURATION_MINUTES),
            MaxValueValidator(MAX_DURATION_MINUTES),
        ],
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    persona = models.ForeignKey("personas.Persona", on_delete=models.PROTECT, related_name="+")

    # Session milliseconds per wall-clock millisecond: 1 for a real conversation, more for a
    # demo played faster, 0 for a script played as fast as the machine can.
    clock_rate = models.FloatField(default=1.0, editable=False)
    bot_id = models.CharField(max_length=100, blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    is_demo = models.BooleanField(default=False)
    # "A few more minutes" after the planned time ran out: how often it was asked for, and the
    # seconds (on the session's clock) the planned end moved by.
    time_extensions = models.PositiveSmallIntegerField(default=0)
    extra_seconds = models.PositiveIntegerField(default=0)
    # The seq of the newest SessionEvent: the row lock on the session hands out the next one.
    last_event_seq = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        permissions = [("view_transcript", "Can read session transcripts")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def needs_meeting_url(self) -> bool:
        return self.platform != Platform.DIADI

    def clock_ms(self, at: datetime | None = None) -> int | None:
        """Milliseconds on the session's own clock at `at` (now), None before the start or
        for a script played as fast as possible (its run alone knows where it is)."""
        if self.started_at is None or not self.clock_rate:
            return None
        elapsed = ((at or timezone.now()) - self.started_at).total_seconds()
        return max(0, int(elapsed * 1000 * self.clock_rate))


class Role(models.TextChoices):
    CREATOR = "creator", "Creator"
    INVITEE = "invitee", "Invitee"


class Consent(models.TextChoices):
    PENDING = "pending", "Invited"
    CONSENTED = "consented", "Consented"
    DECLINED = "declined", "Declined"


class Participant(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    public_id = models.CharField(
        max_length=24, unique=True, default=new_participant_id, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    display_name = models.CharField(max_length=80)
    role = models.CharField(max_length=10, choices=Role.choices)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.PENDING)
    consented_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the secret kept in the browser session of an invitee without an account.
    browser_secret_hash = models.CharField(max_length=64, blank=True)
    # Open event sockets; presence also needs a recent last_seen_at, so a crashed server
    # cannot leave someone "joined" forever.
    connection_count = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["session", "role"], name="one_participant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role})"

    @property
    def consented(self) -> bool:
        return self.consent == Consent.CONSENTED


class Invitation(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.session}"


class SessionEvent(models.Model):
    """The append-only log of a session: what reconnecting clients resume from, by seq."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    # Milliseconds on the session's own clock, for events the facilitation engine decided.
    at_ms = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="one_event_per_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"

    def as_message(self) -> dict:
        """The websocket message for this event (spec §6.2, plus its seq and session time)."""
        message = {
            "type": self.type,
            "data": self.data,
            "timestamp": self.created_at.isoformat().replace("+00:00", "Z"),
            "seq": self.seq,
        }
        if self.at_ms is not None:
            message["at"] = round(self.at_ms / 1000, 3)
        return message
