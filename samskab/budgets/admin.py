"""The budgets' admin. Results are never typed here: a project's status cannot be set to winner
or not funded, results and counts are read only, and "count the vote" leads to the staff page
where the count is checked and confirmed (budgets.tallying)."""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.accounts.roles import Role, has_role
from samskab.activity.models import Event
from samskab.attachments.admin import DocumentInline, ImageInline
from samskab.budgets.models import (
    RESULT_STATUSES,
    BallotConflict,
    Budget,
    BudgetPhase,
    Group,
    Heading,
    HeadingResult,
    PaperBallotChange,
    Phase,
    Project,
    Tally,
    ValuationNote,
    ValuatorAssignment,
)
from samskab.budgets.process import project_change_record
from samskab.places.admin import PlaceInline

# From the vote on, what is voted on and how it is counted stays as it was when the vote opened.
VOTE_PHASES = (Phase.BALLOTING, Phase.REVIEWING_BALLOTS, Phase.FINISHED)


def _is_budget_editor(request) -> bool:
    return has_role(request.user, Role.EDITOR) or has_role(request.user, Role.ADMINISTRATOR)


class BudgetPickers:
    """A group or heading picked in the admin names its budget: every budget has an "Area"
    or a "Midtby" (review: pickers did not say which budget an item belongs to)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.related_model is Heading and field is not None:
            field.queryset = field.queryset.select_related("group__budget")
            field.label_from_instance = lambda h: f"{h.group.budget} › {h.group} › {h}"
        elif db_field.related_model is Group and field is not None:
            field.queryset = field.queryset.select_related("budget")
            field.label_from_instance = lambda g: f"{g.budget} › {g}"
        return field


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log or a result: written only by the services, never in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BudgetPhaseInline(admin.TabularInline):
    model = BudgetPhase
    extra = 0


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0
    # A group's areas (headings) are on the group's own page: a link, not a typed address.
    show_change_link = True


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "rule", "tie_breaking", "paper_rule", "is_published"]
    list_filter = ["phase", "is_published"]
    inlines = [BudgetPhaseInline, GroupInline]
    actions = ["count"]

    def get_readonly_fields(self, request, obj=None):
        # The phase moves on the staff phases page, and Finished only by publishing a count.
        fields = ["phase"]
        if obj is not None and obj.phase in VOTE_PHASES:
            fields += ["rule", "tie_breaking", "paper_rule"]
        if not has_role(request.user, Role.ADMINISTRATOR):
            fields.append("second_approval")  # the municipality's rule, not the editor's
        return fields

    @admin.action(description=gettext_lazy("Count the vote (the outcome is checked first)"))
    def count(self, request, queryset):
        if not request.user.has_perm("budgets.finish_budget"):
            self.message_user(request, _("You may not count budgets."), messages.ERROR)
            return None
        if queryset.count() != 1:
            self.message_user(request, _("Choose one budget to count."), messages.ERROR)
            return None
        return redirect("budgets:staff_count", pk=queryset.get().pk)


# What a ballot may hold: fixed once the vote opens (ballots are checked against it).
BALLOT_SETTINGS = [
    "ballot_style",
    "max_approvals",
    "points_total",
    "points_per_project",
    "ranking_length",
]


class HeadingInline(admin.TabularInline):
    model = Heading
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        # obj is the group: its headings' amounts are what the vote is counted against.
        if obj is not None and obj.budget.phase in VOTE_PHASES:
            return ["amount", *BALLOT_SETTINGS]
        return []


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "budget", "max_headings_supported", "ballot_style", "max_approvals"]
    inlines = [HeadingInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.budget.phase in VOTE_PHASES:
            return [*BALLOT_SETTINGS, "scoring"]
        return []


@admin.register(Heading)
class HeadingAdmin(BudgetPickers, admin.ModelAdmin):
    list_display = ["name", "group", "amount", "ballot_style", "max_approvals"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.group.budget.phase in VOTE_PHASES:
            return ["group", "amount", *BALLOT_SETTINGS]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.group.budget.phase in VOTE_PHASES:
            return False
        return super().has_delete_permission(request, obj)


class ProjectEventInline(GenericTabularInline):
    """The public history, read only: it is written by the services that change a project."""

    model = Event
    extra = 0
    fields = ["created_at", "kind", "status", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name = gettext_lazy("project history entry")
    verbose_name_plural = gettext_lazy("project history")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class _ReadOnlyInline(admin.TabularInline):
    """Written on the valuation pages (with their checks and the valuator's e-mail)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Shown to editors and administrators only (ProjectAdmin.get_inlines).
        return _is_budget_editor(request)


class ValuatorAssignmentInline(_ReadOnlyInline):
    model = ValuatorAssignment
    fields = readonly_fields = ["valuator", "assigned_by", "assigned_at"]


class ValuationNoteInline(_ReadOnlyInline):
    model = ValuationNote
    fields = readonly_fields = ["created_at", "author", "text"]


@admin.register(Project)
class ProjectAdmin(BudgetPickers, admin.ModelAdmin):
    list_display = ["title", "heading", "status", "price"]
    list_filter = ["status", "heading__group__budget"]
    search_fields = ["title"]
    raw_id_fields = ["author"]
    inlines = [PlaceInline, ImageInline, DocumentInline, ProjectEventInline]

    def get_inlines(self, request, obj):
        # The valuators and internal notes, for editors and administrators: a valuator reads
        # only the notes of the projects assigned to them, on the valuation page.
        if obj is not None and _is_budget_editor(request):
            return [*self.inlines, ValuatorAssignmentInline, ValuationNoteInline]
        return self.inlines

    def has_change_permission(self, request, obj=None) -> bool:
        # Valuators assess on the valuation page (with its phase check), not here.
        return _is_budget_editor(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return _is_budget_editor(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a project on the ballot would take its votes out of the count.
        if obj is not None and obj.heading.group.budget.phase in VOTE_PHASES:
            return False
        return _is_budget_editor(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A new project starts as submitted; a result is the count's; and from the vote on,
        # the ballot and its prices stay put.
        if obj is None:
            return ["status"]
        if obj.status in RESULT_STATUSES or obj.heading.group.budget.phase in VOTE_PHASES:
            return ["status", "price", "heading"]
        return []

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [
                (value, label)
                for value, label in Project.Status.choices
                if value not in RESULT_STATUSES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """A change of status, assessment or price here is written to the project's history,
        and its author and followers get the e-mail, as from the staff pages."""
        before = None
        if change:
            before = (
                Project.objects.filter(pk=obj.pk)
                .values("status", "feasibility_explanation", "price")
                .first()
            )
        super().save_model(request, obj, form, change)
        if before is not None:
            project_change_record(project=obj, actor=request.user, **before)


@admin.register(HeadingResult)
class HeadingResultAdmin(ReadOnlyAdmin):
    list_display = ["heading", "rule", "cost", "voters", "computed_at"]
    readonly_fields = ["heading", "rule", "winners", "cost", "voters", "explanation"]


@admin.register(Tally)
class TallyAdmin(ReadOnlyAdmin):
    """The log of counts: who asked, who confirmed, who approved, when it was published."""

    list_display = [
        "budget",
        "state",
        "requested_by",
        "requested_at",
        "confirmed_by",
        "approved_by",
        "published_at",
    ]
    list_filter = ["state", "budget"]
    exclude = ["results"]


@admin.register(PaperBallotChange)
class PaperBallotChangeAdmin(ReadOnlyAdmin):
    """The log of corrected and voided paper ballots."""

    list_display = [
        "created_at",
        "heading",
        "ballot_number",
        "kind",
        "before",
        "after",
        "reason",
        "entered_by",
        "changed_by",
    ]
    list_filter = ["kind", "heading__group__budget"]


@admin.register(BallotConflict)
class BallotConflictAdmin(admin.ModelAdmin):
    """The log of people who voted both on the web and on paper: read only."""

    list_display = ["created_at", "heading", "kept", "set_aside", "officer"]
    list_filter = ["kept", "heading__group__budget"]
    readonly_fields = ["heading", "kept", "set_aside", "officer", "created_at"]
    exclude = ["person"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
