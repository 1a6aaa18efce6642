from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from samskab.polls.models import Option, Poll, Question
from samskab.polls.templatetags.polls import clock
from samskab.polls.timeline import with_offsets


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
    # The pickers name the meeting and its day (review finding 8: a raw id box took a
    # database number and said nothing of which meeting it was).
    autocomplete_fields = ["meeting", "agenda_item"]
    readonly_fields = [
        "status",
        "opened_at",
        "closed_at",
        "opened_on_recording",
        "closed_on_recording",
    ]
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
                    "opened_on_recording",
                    "closed_on_recording",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return with_offsets(super().get_queryset(request))

    @admin.display(description=_("opened on the recording"))
    def opened_on_recording(self, obj: Poll) -> str:
        return _on_recording(getattr(obj, "opened_offset_ms", None))

    @admin.display(description=_("closed on the recording"))
    def closed_on_recording(self, obj: Poll) -> str:
        return _on_recording(getattr(obj, "closed_offset_ms", None))


def _on_recording(offset_ms: int | None) -> str:
    """A time on the recording (its timeline mark, which the timeline editor moves)."""
    return "-" if offset_ms is None else clock(offset_ms // 1000)


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
