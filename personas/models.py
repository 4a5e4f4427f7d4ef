from django.db import models


class Gender(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    NEUTRAL = "neutral"


class PersonaQuerySet(models.QuerySet["Persona"]):
    def active(self) -> "PersonaQuerySet":
        return self.filter(is_active=True)


class Persona(models.Model):
    """A facilitator character, seeded from personas/library/<slug>/README.md."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    prompt = models.TextField(help_text="The first paragraph of the README: the system prompt.")
    description = models.TextField(
        blank=True,
        help_text="From ## Description: what the two people read on persona cards.",
    )
    core_behaviors = models.JSONField(default=list)
    intervention_style = models.JSONField(
        default=list, help_text="Free-text notes on tone, from ## Intervention Style."
    )
    prompt_templates = models.JSONField(
        default=dict, help_text="Intervention message templates by type, e.g. balance."
    )
    entry_message = models.TextField(blank=True)
    image = models.URLField(blank=True)
    cartesia_voice_id = models.CharField(max_length=100, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.NEUTRAL)
    relevant_links = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
