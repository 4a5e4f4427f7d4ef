from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from personas.models import Persona


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "slug", "gender", "is_active", "updated_at")
    list_filter = ("is_active", "gender")
    search_fields = ("name", "slug", "description", "prompt")
    readonly_fields = ("prompt_preview", "created_at", "updated_at")
    actions = ("activate", "deactivate")
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_active", "gender")}),
        ("Preview", {"fields": ("prompt_preview",)}),
        (
            "Content",
            {
                "fields": (
                    "description",
                    "prompt",
                    "core_behaviors",
                    "intervention_style",
                    "prompt_templates",
                    "entry_message",
                )
            },
        ),
        ("Media", {"fields": ("image", "cartesia_voice_id", "relevant_links")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="What the facilitator is told")
    def prompt_preview(self, persona: Persona) -> str:
        behaviors = format_html_join("", "<li>{}</li>", ((b,) for b in persona.core_behaviors))
        templates = format_html_join(
            "", "<li><strong>{}</strong>: {}</li>", sorted(persona.prompt_templates.items())
        )
        return format_html(
            "<p>{}</p><p>Core behaviors:</p><ul>{}</ul><p>Prompts:</p><ul>{}</ul>",
            persona.prompt,
            behaviors,
            templates,
        )

    @admin.action(description="Activate selected personas")
    def activate(self, request: HttpRequest, queryset: QuerySet[Persona]) -> None:
        count = queryset.update(is_active=True)
        self.message_user(request, f"{count} persona(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected personas")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Persona]) -> None:
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count} persona(s) deactivated.", messages.SUCCESS)
