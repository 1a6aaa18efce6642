"""Budget pages around the process: the map, and staff pages for projects (filters,
valuators, assessment, the ballot), phases and the map upload. Pictures and documents are
added and removed through the attachments app's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from samskab.budgets.forms import (
    UNASSIGNED,
    MapUploadForm,
    PhasesForm,
    ProjectFilterForm,
    ValuatorChoiceForm,
)
from samskab.budgets.maps import budget_map, budget_map_upload, map_error_message
from samskab.budgets.models import Budget, Heading, Project
from samskab.budgets.process import budget_phases_save, project_ballot_mark
from samskab.budgets.selectors import budgets_public
from samskab.budgets.services import BudgetRefused
from samskab.budgets.valuation import (
    valuation_deadline,
    valuation_state,
    valuator_name,
    valuators,
    valuators_assign,
    valuators_remove,
    with_valuation,
)
from samskab.places.geo import GeoError
from samskab.places.selectors import places_of


@require_GET
def budget_map_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every heading's area and every project with a place, and the same as a list."""
    budget = get_object_or_404(budgets_public(), pk=pk)
    projects = list(
        Project.objects.filter(heading__group__budget=budget)
        .exclude(status=Project.Status.UNFEASIBLE)
        .select_related("heading")
    )
    places = places_of(projects)
    for project in projects:
        project.place = places.get(project.pk)
    return render(
        request,
        "budgets/map.html",
        {
            "budget": budget,
            "map": budget_map(budget, projects=projects),
            "placed": [p for p in projects if p.place and p.place.has_point],
            "unplaced": [p for p in projects if not (p.place and p.place.has_point)],
        },
    )


def _staff_budget(request: HttpRequest, pk: int, perm: str) -> Budget:
    budget = get_object_or_404(Budget, pk=pk)
    if not request.user.has_perm(perm, budget):
        raise PermissionDenied
    return budget


@require_http_methods(["GET", "POST"])
@login_required
def staff_projects(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff's list of a budget's projects: filter, assess, and decide the ballot."""
    budget = _staff_budget(request, pk, "budgets.manage_projects")
    people = list(valuators())
    if request.method == "POST":
        action = request.POST.get("action")
        chosen = Project.objects.filter(
            heading__group__budget=budget, pk__in=request.POST.getlist("project")[:1000]
        ).select_related("heading__group__budget")
        if action in ("assign", "remove"):
            _assign(request, budget, chosen, people, assign=action == "assign")
            return redirect(request.get_full_path())
        on_ballot = action == "on_ballot"
        done = 0
        for project in chosen:
            try:
                project_ballot_mark(project=project, user=request.user, on_ballot=on_ballot)
            except BudgetRefused as refusal:
                messages.error(request, str(refusal))
            else:
                done += 1
        if not chosen:
            messages.error(request, _("Tick the projects the action is for."))
        elif done:
            messages.success(
                request,
                ngettext("%(count)d project is updated.", "%(count)d projects are updated.", done)
                % {"count": done},
            )
        return redirect(request.get_full_path())
    form = ProjectFilterForm(request.GET or None, budget=budget, valuators=people)
    projects = (
        Project.objects.filter(heading__group__budget=budget)
        # The budget too: each row's rules ask its phase.
        .select_related("heading__group__budget")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("heading_id", "-support_count", "pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            projects = projects.filter(
                Q(title__icontains=data["q"]) | Q(description__icontains=data["q"])
            )
        if data["status"]:
            projects = projects.filter(status=data["status"])
        if data["heading"]:
            projects = projects.filter(heading=data["heading"])
        if data["valuator"] == UNASSIGNED:
            projects = projects.filter(valuator_assignments__isnull=True)
        elif data["valuator"]:
            projects = projects.filter(valuator_assignments__valuator_id=data["valuator"])
    rows = list(with_valuation(projects))
    for project in rows:
        # Asked per row with the prefetched valuators: no query per project.
        project.may_valuate = request.user.has_perm("budgets.valuate_project", project)
        project.may_open = request.user.has_perm("budgets.view_valuation", project)
        project.valuation = valuation_state(project)
    return render(
        request,
        "budgets/staff_projects.html",
        {
            "budget": budget,
            "form": form,
            "projects": rows,
            # The headings of the projects shown, for "choose all in <heading>".
            "shown_headings": Heading.objects.filter(pk__in=projects.values("heading_id")).order_by(
                "pk"
            ),
            "may_assign": request.user.has_perm("budgets.assign_valuators", budget),
            "assign_form": ValuatorChoiceForm(valuators=people, auto_id="assign-%s"),
            "deadline": valuation_deadline(budget),
            "may_move": request.user.has_perm("budgets.move_budget", budget),
            # A project handed in on paper or by e-mail is typed in by staff (the admin form).
            "may_add": request.user.has_perm("budgets.move_budget", budget)
            and request.user.has_perm("budgets.add_project"),
            "only_heading": _only_heading(budget),
        },
    )


def _assign(request: HttpRequest, budget: Budget, chosen, people, *, assign: bool) -> None:
    """Assign a valuator to the ticked projects, or take them off, and say what was done."""
    if not request.user.has_perm("budgets.assign_valuators", budget):
        raise PermissionDenied
    form = ValuatorChoiceForm(request.POST, valuators=people)
    valuator = form.chosen() if form.is_valid() else None
    try:
        if assign:
            count = len(valuators_assign(projects=chosen, valuator=valuator, by=request.user))
            message = ngettext(
                "%(name)s is asked to assess %(count)d more project and gets an e-mail.",
                "%(name)s is asked to assess %(count)d more projects and gets an e-mail.",
                count,
            )
        else:
            count = valuators_remove(projects=chosen, valuator=valuator, by=request.user)
            message = ngettext(
                "%(name)s no longer assesses %(count)d project.",
                "%(name)s no longer assesses %(count)d projects.",
                count,
            )
    except BudgetRefused as refusal:
        messages.error(request, str(refusal))
        return
    name = valuator_name(valuator)
    if count:
        messages.success(request, message % {"name": name, "count": count})
    elif assign:
        messages.info(
            request,
            _("Nothing changed: %(name)s already assesses the chosen projects.") % {"name": name},
        )
    else:
        messages.info(
            request,
            _("Nothing changed: %(name)s assesses none of the chosen projects.") % {"name": name},
        )


def _only_heading(budget) -> Heading | None:
    headings = list(Heading.objects.filter(group__budget=budget)[:2])
    return headings[0] if len(headings) == 1 else None


@require_http_methods(["GET", "POST"])
@login_required
def staff_phases(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _staff_budget(request, pk, "budgets.move_budget")
    form = PhasesForm(request.POST or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        try:
            budget_phases_save(
                budget=budget, user=request.user, phase=form.cleaned_data["phase"], rows=form.rows()
            )
        except BudgetRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The phases are saved."))
            return redirect("budgets:staff_phases", pk=budget.pk)
    return render(
        request,
        "budgets/staff_phases.html",
        {"budget": budget, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def staff_map(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _staff_budget(request, pk, "budgets.upload_map")
    form = MapUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            missing = budget_map_upload(
                budget=budget,
                text=form.cleaned_data["file"],
                property_name=form.cleaned_data["property_name"],
            )
        except GeoError as error:
            form.add_error("file", map_error_message(error))
        else:
            messages.success(request, _("The map is saved."))
            if missing:
                messages.warning(
                    request,
                    _("These headings have no area on the map: %(names)s.")
                    % {"names": ", ".join(h.name for h in missing)},
                )
            return redirect("budgets:staff_map", pk=budget.pk)
    return render(
        request,
        "budgets/staff_map.html",
        {"budget": budget, "form": form, "map": budget_map(budget)},
        status=400 if form.errors else 200,
    )
