from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.attachments.admin import DocumentInline, ImageInline
from samskab.budgets.models import (
    BallotConflict,
    Budget,
    BudgetPhase,
    Group,
    Heading,
    HeadingResult,
    Project,
    ProjectEvent,
)
from samskab.budgets.process import project_change_record
from samskab.budgets.services import BudgetRefused, budget_finish
from samskab.places.admin import PlaceInline


class BudgetPhaseInline(admin.TabularInline):
    model = BudgetPhase
    extra = 0


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "rule", "tie_breaking", "paper_rule", "is_published"]
    list_filter = ["phase", "is_published"]
    inlines = [BudgetPhaseInline, GroupInline]
    actions = ["finish"]

    @admin.action(description=gettext_lazy("Count the vote and publish the results"))
    def finish(self, request, queryset):
        if not request.user.has_perm("budgets.finish_budget"):
            self.message_user(request, _("You may not finish budgets."), messages.ERROR)
            return
        for budget in queryset:
            try:
                budget_finish(budget=budget)
            except BudgetRefused as refusal:
                self.message_user(request, f"{budget}: {refusal}", messages.ERROR)
            else:
                self.message_user(request, _("%(budget)s is counted.") % {"budget": budget})


class HeadingInline(admin.TabularInline):
    model = Heading
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "budget", "max_headings_supported", "ballot_style", "max_approvals"]
    inlines = [HeadingInline]


@admin.register(Heading)
class HeadingAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "amount", "ballot_style", "max_approvals"]


class ProjectEventInline(admin.TabularInline):
    """The public history, read only: it is written by the services that change a project."""

    model = ProjectEvent
    extra = 0
    fields = ["created_at", "kind", "status", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "heading", "status", "price"]
    list_filter = ["status", "heading__group__budget"]
    search_fields = ["title"]
    raw_id_fields = ["author"]
    inlines = [PlaceInline, ImageInline, DocumentInline, ProjectEventInline]

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
class HeadingResultAdmin(admin.ModelAdmin):
    list_display = ["heading", "rule", "cost", "voters", "computed_at"]
    readonly_fields = ["heading", "rule", "winners", "cost", "voters", "explanation"]


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
