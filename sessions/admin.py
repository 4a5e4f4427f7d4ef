from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from facilitation.engine import SWITCHES
from sessions.errors import SessionError
from sessions.models import Participant, Session, SessionEvent
from sessions.state import Action, transition


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


HISTORY = ("last_event_seq", "created_at", "updated_at", "started_at", "paused_at", "ended_at")


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ("display_name", "role", "consent", "consented_at", "user", "last_seen_at")
    readonly_fields = fields


class SessionEventInline(ReadOnlyInline):
    model = SessionEvent
    fields = ("seq", "type", "data", "created_at")
    readonly_fields = fields
    ordering = ("-seq",)
    max_num = 0
    classes = ("collapse",)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "status", "platform", "creator", "duration_minutes", "created_at")
    list_filter = ("status", "platform", "created_at", "is_demo")
    search_fields = ("title", "goal", "public_id", "creator__username", "creator__email")
    date_hierarchy = "created_at"
    inlines = (ParticipantInline, SessionEventInline)
    actions = ("archive_sessions", "end_live_sessions")
    list_select_related = ("creator",)
    readonly_fields = ("public_id", "status", "creator", "bot_id", "client_id", *HISTORY)
    fieldsets = (
        (None, {"fields": ("title", "public_id", "status", "creator", "is_demo")}),
        (
            "Conversation",
            {
                "fields": (
                    "goal",
                    "relationship_context",
                    "duration_minutes",
                    "scheduled_at",
                    "time_extensions",
                    "extra_seconds",
                )
            },
        ),
        ("Where", {"fields": ("platform", "meeting_url", "bot_id", "client_id")}),
        (
            "Facilitator",
            {
                "fields": (
                    "persona",
                    *(switch.name for switch in SWITCHES),
                )
            },
        ),
        ("History", {"fields": HISTORY}),
    )

    def _move_all(
        self, request: HttpRequest, queryset: QuerySet[Session], action: Action, done: str
    ) -> None:
        moved, refused = 0, []
        for session in queryset:
            try:
                transition(session, action, reason=f"staff:{request.user.get_username()}")
                moved += 1
            except SessionError as exc:
                refused.append(f"{session.title} ({exc.message})")
        if moved:
            self.message_user(request, f"{moved} session(s) {done}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not changed: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Archive selected sessions", permissions=["change"])
    def archive_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        self._move_all(request, queryset, Action.ARCHIVE, "archived")

    @admin.action(description="End selected live sessions", permissions=["change"])
    def end_live_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        self._move_all(request, queryset, Action.END, "ended")
