from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from samskab.polls.models import Option, Poll, Question


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1
    show_change_link = True


class OptionInline(admin.TabularInline):
    model = Option
    extra = 2
    readonly_fields = ["votes"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "status", "voter_policy", "opened_at", "closed_at"]
    list_filter = ["status", "voter_policy"]
    search_fields = ["title"]
    autocomplete_fields = []
    raw_id_fields = ["meeting", "agenda_item"]
    readonly_fields = ["status", "opened_at", "closed_at", "opened_offset_ms", "closed_offset_ms"]
    inlines = [QuestionInline]
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
