from django.contrib import admin
from django.http import HttpRequest

from facilitation.models import FacilitationRun, MeetingBot, TranscriptSegment

TRANSCRIPT_PERMISSION = "diadi_sessions.view_transcript"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(FacilitationRun)
class FacilitationRunAdmin(ReadOnlyAdmin):
    list_display = ("session", "state", "attempts", "heartbeat_at", "started_at", "finished_at")
    list_filter = ("state",)
    exclude = ("source",)
    readonly_fields = (
        "session",
        "state",
        "owner",
        "attempts",
        "heartbeat_at",
        "started_at",
        "finished_at",
        "last_error",
    )


@admin.register(TranscriptSegment)
class TranscriptSegmentAdmin(ReadOnlyAdmin):
    """People's words: only staff granted "Can read session transcripts" see them at all."""

    list_display = ("session", "participant", "start_ms", "end_ms", "text", "source")
    list_filter = ("source",)
    list_select_related = ("session", "participant")
    search_fields = ("session__public_id",)

    def _may_read(self, request: HttpRequest) -> bool:
        return request.user.has_perm(TRANSCRIPT_PERMISSION)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_read(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_read(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MeetingBot)
class MeetingBotAdmin(ReadOnlyAdmin):
    list_display = ("reference", "session", "status", "bot_id", "created_at", "ended_at")
    list_filter = ("status",)
    # The speaker map holds the names people use in their calls: not shown.
    exclude = ("speakers", "stream_secret_hash", "callback_secret_hash")
