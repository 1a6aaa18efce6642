from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from samskab.polls.models import Option, Poll, Question


def is_prepared(poll: Poll | None) -> bool:
    """Questions, options and who may vote are fixed once a poll has opened: a vote is
    checked against them, and deleting one would delete the votes cast for it. A typo in a
    text can still be corrected."""
    return poll is None or poll.status == Poll.Status.DRAFT


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return is_prepared(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_prepared(obj) and super().has_delete_permission(request, obj)


class OptionInline(admin.TabularInline):
    model = Option
    extra = 2
    readonly_fields = ["votes"]

    def has_add_permission(self, request, obj=None) -> bool:
        return is_prepared(obj and obj.poll) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_prepared(obj and obj.poll) and super().has_delete_permission(request, obj)


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "status", "voter_policy", "opened_at", "closed_at"]
    list_filter = ["status", "voter_policy"]
    search_fields = ["title"]
    autocomplete_fields = []
    raw_id_fields = ["meeting", "agenda_item"]
    readonly_fields = ["status", "opened_at", "closed_at", "opened_offset_ms", "closed_offset_ms"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if is_prepared(obj) else [*fields, "voter_policy"]

    fieldsets = [
        (None, {"fields": ["title", "description", "meeting", "agenda_item"]}),
        (_("Voting"), {"fields": ["voter_policy", "show_results_live", "results_public"]}),
        (
            _("Timeline"),
            {
                "fields": [
                    "status",
                    "opened_at",
                    "closed_at",
                    "opened_offset_ms",
                    "closed_offset_ms",
                ]
            },
        ),
    ]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "poll", "position"]
    search_fields = ["text", "poll__title"]
    raw_id_fields = ["poll"]
    inlines = [OptionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if is_prepared(obj and obj.poll) else [*fields, "poll"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_prepared(obj and obj.poll) and super().has_delete_permission(request, obj)
