"""Staff prepare votes, booths, opening hours and shifts here; opening, closing, publishing
and the booth work happen on the vote's own pages. Participations and ballots are not shown
in the admin at all."""

from django.contrib import admin

from samskab.votes.models import Answer, BindingVote, Booth, OpeningHours, Question, Shift


def _vote_prepared(obj) -> bool:
    """Questions and answers change only while their vote is being prepared: once open,
    ballots are read and checked against them (and each process keeps them,
    selectors.ballot_rules)."""
    vote = obj if isinstance(obj, BindingVote) else getattr(obj, "vote", None)
    return vote is None or vote.status == BindingVote.Status.DRAFT


class _WhilePrepared:
    def has_add_permission(self, request, obj=None):
        return _vote_prepared(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _vote_prepared(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _vote_prepared(obj) and super().has_delete_permission(request, obj)


class QuestionInline(_WhilePrepared, admin.StackedInline):
    model = Question
    extra = 0


class AnswerInline(_WhilePrepared, admin.StackedInline):
    model = Answer
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    autocomplete_fields = ["officer"]


@admin.register(BindingVote)
class BindingVoteAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "min_age", "postal_codes"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        # Once open, the rules of who may vote and the questions no longer change.
        if obj is not None and obj.status != BindingVote.Status.DRAFT:
            return ["status", "min_age", "age_day", "postal_codes"]
        return ["status"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "vote", "kind", "max_choices", "method", "position"]
    list_filter = ["vote"]
    inlines = [AnswerInline]

    def has_change_permission(self, request, obj=None):
        return _vote_prepared(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _vote_prepared(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "vote":  # a new question goes only to a vote being prepared
            kwargs["queryset"] = BindingVote.objects.filter(status=BindingVote.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["name", "vote", "address"]
    list_filter = ["vote"]
    inlines = [OpeningHoursInline, ShiftInline]
