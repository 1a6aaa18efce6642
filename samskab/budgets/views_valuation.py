"""Valuation pages for staff: a project's valuation page (its assessment, its valuators and
the internal notes) and a valuator's own list of the projects to assess."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samskab.budgets.forms import ValuationForm, ValuationNoteForm, ValuatorChoiceForm
from samskab.budgets.models import Project
from samskab.budgets.services import BudgetRefused, project_valuate
from samskab.budgets.valuation import (
    ASSESSED,
    ValuationState,
    days_until,
    notes_of,
    projects_to_assess,
    valuation_deadline,
    valuation_note_add,
    valuation_state,
    valuator_name,
    valuators,
    valuators_assign,
    valuators_remove,
    with_valuation,
)


def _assessment_initial(project: Project) -> dict:
    """The form shows the assessment already saved, to be corrected rather than retyped."""
    if project.status not in ASSESSED:
        return {}
    return {
        "feasible": "0" if project.status == Project.Status.UNFEASIBLE else "1",
        "feasibility_explanation": project.feasibility_explanation,
        "price": project.price,
        "price_explanation": project.price_explanation,
    }


@require_http_methods(["GET", "POST"])
@login_required
def project_valuation(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment (assigned valuators and administrators, in the valuating phase), the
    project's valuators (editors and administrators assign them) and the internal notes."""
    project = get_object_or_404(
        with_valuation(Project.objects.select_related("heading__group__budget")), pk=pk
    )
    user = request.user
    if not user.has_perm("budgets.view_valuation", project):
        raise PermissionDenied
    budget = project.heading.group.budget
    may_valuate = user.has_perm("budgets.valuate_project", project)
    may_assign = user.has_perm("budgets.assign_valuators", project)
    form = ValuationForm(initial=_assessment_initial(project))
    note_form = ValuationNoteForm()
    people = list(valuators()) if may_assign else []
    assign_form = ValuatorChoiceForm(valuators=people)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "assess")
        if action == "assess":
            if not may_valuate:
                raise PermissionDenied
            form = ValuationForm(request.POST)
            if form.is_valid():
                try:
                    project_valuate(project=project, user=user, **form.cleaned_data)
                except BudgetRefused as refusal:
                    form.add_error(None, str(refusal))
                else:
                    messages.success(request, _("The assessment is saved."))
                    return redirect("budgets:staff_projects", pk=budget.pk)
        elif action == "note":
            if not user.has_perm("budgets.write_valuation_note", project):
                raise PermissionDenied
            note_form = ValuationNoteForm(request.POST)
            if note_form.is_valid():
                try:
                    valuation_note_add(
                        project=project,
                        author=user,
                        text=note_form.cleaned_data["text"],
                        language=request.LANGUAGE_CODE,
                    )
                except BudgetRefused as refusal:
                    note_form.add_error("text", str(refusal))
                else:
                    messages.success(request, _("The note is saved. Only staff can read it."))
                    return redirect(request.path + "#notes")
        elif action in ("assign", "remove"):
            if not may_assign:
                raise PermissionDenied
            assign_form = ValuatorChoiceForm(request.POST, valuators=people)
            if assign_form.is_valid():
                chosen = assign_form.chosen()
                try:
                    if action == "assign":
                        valuators_assign(projects=[project], valuator=chosen, by=user)
                        messages.success(
                            request,
                            _("%(name)s is asked to assess the project and gets an e-mail.")
                            % {"name": valuator_name(chosen)},
                        )
                    else:
                        valuators_remove(projects=[project], valuator=chosen, by=user)
                        messages.success(
                            request,
                            _("%(name)s no longer assesses the project.")
                            % {"name": valuator_name(chosen)},
                        )
                except BudgetRefused as refusal:
                    assign_form.add_error(None, str(refusal))
                else:
                    return redirect(request.path + "#valuators")
        else:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        status = 400
    deadline = valuation_deadline(budget)
    days_left = days_until(deadline)
    state = valuation_state(project)
    return render(
        request,
        "budgets/valuation_form.html",
        {
            "project": project,
            "budget": budget,
            "form": form,
            "note_form": note_form,
            "assign_form": assign_form,
            "notes": notes_of(project),
            "assigned": [a.valuator for a in project.valuator_assignments.all()],
            "state": state,
            "deadline": deadline,
            "days_left": days_left,
            "days_over": -days_left if days_left is not None else 0,
            "done": state == ValuationState.DONE,
            "may_valuate": may_valuate,
            "may_assign": may_assign,
            "may_note": user.has_perm("budgets.write_valuation_note", project),
            "may_read_notes": user.has_perm("budgets.read_valuation_notes", project),
        },
        status=status,
    )


@require_GET
@login_required
def my_valuations(request: HttpRequest) -> HttpResponse:
    """A valuator's projects to assess across budgets, with each budget's deadline."""
    if not request.user.has_perm("budgets.assess_projects"):
        raise PermissionDenied
    items = projects_to_assess(request.user)
    return render(
        request,
        "budgets/my_valuations.html",
        {"items": items, "waiting": sum(1 for i in items if not i.done)},
    )
