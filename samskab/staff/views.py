"""The staff home (/personale/): one page per person, after login, with their roles' work."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from samskab.accounts.roles import ROLE_DESCRIPTIONS, Role, has_role, holds_staff_power
from samskab.staff import selectors

# Who sees the background tasks: those whose pages start them.
TASK_PERMISSIONS = (
    "recordings.manage_recording",
    "recordings.make_clip",
    "webcasts.manage_slides",
    "budgets.finish_budget",
    "social.manage_accounts",
)


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not holds_staff_power(user):
        raise PermissionDenied
    roles = [(role.label, ROLE_DESCRIPTIONS[role]) for role in Role if has_role(user, role)]
    meetings = [row for row in selectors.meeting_rows(user) if row.links]
    budgets = [row for row in selectors.budget_rows(user) if row.links]
    context = {
        "roles": roles,
        "tools": selectors.general_tools(user),
        "meetings": meetings,
        "budgets": budgets,
        "sees_meetings": user.has_perm("webcasts.view_meeting")
        or user.has_perm("webcasts.operate_meeting"),
        "sees_budgets": bool(budgets) or user.has_perm("budgets.view_budget"),
        "queue_size": selectors.queue_size() if user.has_perm("moderation.view_queue") else None,
        "feedback_waiting": selectors.feedback_waiting()
        if user.has_perm("feedback.view_inbox")
        else None,
        "feedback_mine": selectors.feedback_assigned_to(user)
        if user.has_perm("feedback.view_inbox")
        else None,
        "to_assess": selectors.projects_to_assess(user)
        if user.has_perm("budgets.assess_projects")
        else None,
        "sees_tasks": any(user.has_perm(p) for p in TASK_PERMISSIONS),
        "broken_accounts": selectors.broken_social_accounts()
        if user.has_perm("social.manage_accounts")
        else [],
    }
    if context["sees_tasks"]:
        context["tasks_open"], context["tasks_failed"] = selectors.tasks_open_or_failed()
    return render(request, "staff/home.html", context)
