from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

AGREEMENT_TITLE_MAX = 200
DESCRIPTION_MAX = 1000
ACTION_TEXT_MAX = 300
COMMENT_MAX = 1000


class Summary(models.Model):
    """The recap of one ended session: made once, in the background, then shared by both.

    Whoever makes it first claims it (a conditional UPDATE on status and claimed_at, with a
    fresh maker token) and keeps the claim alive while working; a claim left to go stale (its
    worker or process died) is taken over by the sweep, and only the current maker may store
    the result.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be made"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be made"

    session = models.OneToOneField(
        "diadi_sessions.Session", on_delete=models.CASCADE, related_name="summary"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=120, blank=True, help_text="What the maker is doing.")
    reason = models.TextField(blank=True, help_text="Why it could not be made.")
    made_offline = models.BooleanField(default=False)
    offline_because = models.CharField(max_length=200, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    consensus = models.TextField(blank=True)
    open_points = models.JSONField(default=list, blank=True)
    # Who spoke how much, over time, and what the facilitator did: see summaries/talk.py.
    talk = models.JSONField(default=dict, blank=True)

    # Asked for again after a failure, made without OpenAI this time.
    offline_requested = models.BooleanField(default=False)

    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    maker = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Goes up with every change both people should see: what live pages compare.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "summaries"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"Recap of {self.session}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def in_the_making(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class SharedItem(models.Model):
    """Something both people may edit and each confirms; an edit clears the other's tick."""

    position = models.PositiveIntegerField(default=0)
    # None: written by the recap's maker, not by either person.
    created_by = models.ForeignKey(
        "diadi_sessions.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    edited_by = models.ForeignKey(
        "diadi_sessions.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_by = models.ManyToManyField(
        "diadi_sessions.Participant", blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Agreement(SharedItem):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(max_length=AGREEMENT_TITLE_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)

    class Meta(SharedItem.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class Owner(models.TextChoices):
    CREATOR = "creator", "Creator"
    INVITEE = "invitee", "Invitee"
    BOTH = "both", "Both"
    UNASSIGNED = "", "Nobody yet"


class Commitment(models.TextChoices):
    COMMITTED = "committed", "Committed"
    TENTATIVE = "tentative", "Tentative"


class ActionItem(SharedItem):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(max_length=ACTION_TEXT_MAX)
    # A role, so the owner stays right if a person changes their name.
    owner = models.CharField(max_length=10, choices=Owner.choices, blank=True)
    commitment = models.CharField(
        max_length=10, choices=Commitment.choices, default=Commitment.COMMITTED
    )
    quote = models.TextField(blank=True, help_text="The words it comes from.")

    class Meta(SharedItem.Meta):
        pass

    def __str__(self) -> str:
        return self.text


class Rating(models.Model):
    """How a participant found the session (1-5), kept when the recap itself is deleted."""

    session = models.ForeignKey(
        "diadi_sessions.Session", on_delete=models.CASCADE, related_name="ratings"
    )
    participant = models.ForeignKey(
        "diadi_sessions.Participant", on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(max_length=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="one_rating_each"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_from_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 by {self.participant}"
