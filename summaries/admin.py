"""Staff see recaps and ratings, read-only (the recap is the two people's shared truth, not
staff's to edit), and can make a recap that could not be made again. Transcripts stay behind
their own permission (facilitation/admin.py)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from summaries import making
from summaries.models import ActionItem, Agreement, Rating, Summary


class ReadOnlyInline(admin.TabularInline):
    """Part of the recap: whoever may view the recap sees it."""

    extra = 0
    can_delete = False
    max_num = 0

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("summaries.view_summary")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AgreementInline(ReadOnlyInline):
    model = Agreement
    fields = ("title", "description", "version", "updated_at")
    readonly_fields = fields


class ActionItemInline(ReadOnlyInline):
    model = ActionItem
    fields = ("text", "owner", "commitment", "version", "updated_at")
    readonly_fields = fields


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ("session", "status", "made_offline", "attempts", "created_at", "ready_at")
    list_filter = ("status", "made_offline")
    search_fields = ("session__title", "session__public_id")
    list_select_related = ("session",)
    inlines = (AgreementInline, ActionItemInline)
    actions = ("try_again",)
    exclude = ("talk",)
    readonly_fields = (
        "session",
        "status",
        "progress",
        "stage",
        "reason",
        "made_offline",
        "offline_because",
        "offline_requested",
        "model_name",
        "consensus",
        "open_points",
        "attempts",
        "claimed_at",
        "queued_at",
        "created_at",
        "ready_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Try again to make the selected failed recaps", permissions=["view"])
    def try_again(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        again = sum(making.retry(summary) for summary in queryset.select_related("session"))
        self.message_user(request, f"{again} recap(s) queued again.", messages.SUCCESS)
        if again < queryset.count():
            self.message_user(
                request, "Only recaps that could not be made are tried again.", messages.WARNING
            )


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("session", "participant", "score", "comment", "updated_at")
    list_filter = ("score",)
    search_fields = ("session__title", "session__public_id", "comment")
    list_select_related = ("session", "participant")
    readonly_fields = ("session", "participant", "score", "comment", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
