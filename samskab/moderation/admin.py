from django.contrib import admin

from samskab.moderation.models import (
    Ban,
    ModerationLogEntry,
    ModerationPolicy,
    ModerationSettings,
    RestrictedWord,
    TrustedAuthor,
)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "default_mode", "reports_to_queue"]


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mode", "allow_anonymous"]
    list_filter = ["mode", "allow_anonymous"]


@admin.register(RestrictedWord)
class RestrictedWordAdmin(admin.ModelAdmin):
    list_display = ["pattern", "language", "action"]
    list_filter = ["language", "action"]
    search_fields = ["pattern"]


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "until", "created_by", "created_at", "lifted_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(TrustedAuthor)
class TrustedAuthorAdmin(admin.ModelAdmin):
    raw_id_fields = ["user"]
    readonly_fields = ["granted_by"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = obj.granted_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "moderator", "action", "reason", "excerpt"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
