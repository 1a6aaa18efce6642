from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.budgets.models import Budget, BudgetPhase, Group, Heading, HeadingResult, Project
from samskab.budgets.services import BudgetRefused, budget_finish


class BudgetPhaseInline(admin.TabularInline):
    model = BudgetPhase
    extra = 0


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "rule", "is_published"]
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
    list_display = ["name", "budget", "max_headings_supported"]
    inlines = [HeadingInline]


@admin.register(Heading)
class HeadingAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "amount"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "heading", "status", "price"]
    list_filter = ["status", "heading__group__budget"]
    search_fields = ["title"]
    raw_id_fields = ["author"]


@admin.register(HeadingResult)
class HeadingResultAdmin(admin.ModelAdmin):
    list_display = ["heading", "rule", "cost", "voters", "computed_at"]
    readonly_fields = ["heading", "rule", "winners", "cost", "voters", "explanation"]
