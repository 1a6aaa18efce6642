from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from samskab.recordings.models import ArchiveLogEntry, Clip, RetentionPolicy


class _ByRule:
    """Admin access by the app's rules (editors and administrators), not model permissions."""

    rule = "recordings.set_retention"

    def has_module_permission(self, request) -> bool:
        return request.user.has_perm(self.rule)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self.rule)

    def has_add_permission(self, request, *args) -> bool:
        return request.user.has_perm(self.rule)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self.rule)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(self.rule)


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(_ByRule, admin.ModelAdmin):
    list_display = ["body", "mode", "days"]


@admin.register(Clip)
class ClipAdmin(_ByRule, admin.ModelAdmin):
    rule = "recordings.manage_recording"
    list_display = ["title", "meeting", "start_ms", "end_ms", "source_kind", "mp4_status"]
    list_select_related = ["meeting"]
    # The pickers name the meeting and its day (review finding 8).
    autocomplete_fields = ["meeting", "agenda_item"]
    raw_id_fields = ["person"]


@admin.register(ArchiveLogEntry)
class ArchiveLogEntryAdmin(_ByRule, admin.ModelAdmin):
    rule = "recordings.manage_recording"
    list_display = ["at", "action", "meeting_title", "detail_text", "by"]
    list_filter = ["action"]
    fields = readonly_fields = ["at", "action", "meeting", "meeting_title", "detail_text", "by"]

    @admin.display(description=_("detail"))
    def detail_text(self, entry: ArchiveLogEntry) -> str:
        return entry.detail_text()

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
