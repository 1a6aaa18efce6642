"""Citizens' budget pages: budgets, headings, projects, supporting, the ballot and results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samskab.accounts.identity import step_up_notice, step_up_redirect
from samskab.accounts.selectors import census_identifier_label
from samskab.budgets.ballots import (
    FormBallot,
    ballot_as_form,
    ballot_from_form,
    ranking_move,
    record_titles,
)
from samskab.budgets.forms import ProjectSubmitForm
from samskab.budgets.maps import budget_map
from samskab.budgets.models import (
    Ballot,
    BallotConflict,
    BallotStyle,
    Budget,
    Heading,
    PaperRule,
    Phase,
    Project,
    ProjectEventKind,
)
from samskab.budgets.selectors import (
    ballot_assurance,
    ballot_marks,
    ballot_of,
    ballot_projects,
    budget_participation,
    budget_turnout,
    budgets_public,
    heading_projects,
    my_ballots,
    paper_headings,
    paper_officer_totals,
    phase_now,
    result_lines,
    user_supports,
)
from samskab.budgets.services import (
    BudgetRefused,
    PaperOutcome,
    ballot_save,
    paper_ballot_enter,
    project_submit,
    support_add,
)
from samskab.core.errors import Refused
from samskab.core.markdown import render_markdown
from samskab.core.ratelimit import ratelimit
from samskab.places.selectors import place_of


def _markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308  # sanitised by nh3 in render_markdown


@require_GET
def budget_list(request: HttpRequest) -> HttpResponse:
    return render(request, "budgets/list.html", {"budgets": budgets_public()})


@require_GET
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(budgets_public(), pk=pk)
    phases = {p.phase: p for p in budget.phases.all()}
    return render(
        request,
        "budgets/budget.html",
        {
            "budget": budget,
            "description": _markdown(budget.description),
            "phases": [(value, label, phases.get(value)) for value, label in Phase.choices],
            "current": phases.get(budget.phase),
            "now": phase_now(budget),
            "my_ballots": my_ballots(budget, request.user),
            "groups": budget.groups.prefetch_related("headings"),
            "map": budget_map(budget),
        },
    )


def _heading(budget_pk: int, pk: int) -> Heading:
    return get_object_or_404(
        Heading.objects.select_related("group__budget"),
        pk=pk,
        group__budget_id=budget_pk,
        group__budget__is_published=True,
    )


@require_GET
def heading_detail(request: HttpRequest, budget_pk: int, pk: int) -> HttpResponse:
    heading = _heading(budget_pk, pk)
    projects = heading_projects(heading)
    budget = heading.group.budget
    return render(
        request,
        "budgets/heading.html",
        {
            "heading": heading,
            "budget": budget,
            "projects": projects,
            "now": phase_now(budget),
            **_my_marks(heading, request.user),
            "has_ballot": ballot_of(heading, request.user) is not None,
            "map": budget_map(budget, projects=projects, focus=heading),
            "step_up": _ballot_step_up(request, heading),
        },
    )


def _my_marks(heading: Heading, user) -> dict:
    """The person's ballot in `heading` as the heading and project pages summarise it: the
    projects on it (`chosen`), what it gives each (`marks`: points or place), the style."""
    marks = ballot_marks(heading, user)
    style = heading.style
    summary = {"chosen": set(marks), "marks": marks, "style": style}
    if style == BallotStyle.CUMULATIVE:
        summary["points_given"] = sum(points or 0 for points in marks.values())
        summary["points_total"] = heading.ballot_rules().points_total
    return summary


def _project(pk: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("heading__group__budget"),
        pk=pk,
        heading__group__budget__is_published=True,
    )


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    budget = project.heading.group.budget
    return render(
        request,
        "budgets/project.html",
        {
            "map": budget_map(budget, projects=[project], focus=project.heading),
            "place": place_of(project),
            "events": [
                (event, ProjectEventKind(event.kind).label, Project.Status(event.status).label)
                for event in project.events.all()
                if event.kind in ProjectEventKind.values and event.status in Project.Status.values
            ],
            "project": project,
            "heading": project.heading,
            "budget": project.heading.group.budget,
            "description": _markdown(project.description),
            "supported": user_supports(project, request.user),
            "may_valuate": request.user.has_perm("budgets.valuate_project", project),
            "may_vote": request.user.has_perm("budgets.vote_in_heading", project.heading),
            **_my_marks(project.heading, request.user),
            "step_up": _ballot_step_up(request, project.heading),
        },
    )


def _ballot_step_up(request: HttpRequest, heading: Heading) -> dict | None:
    """The MitID level the ballot asks for, said before the person opens it (step-up)."""
    budget = heading.group.budget
    if budget.phase != Phase.BALLOTING:
        return None
    return step_up_notice(
        request,
        ballot_assurance(budget),
        next_url=reverse("budgets:ballot", args=[budget.pk, heading.pk]),
    )


@require_POST
@login_required
@ratelimit("budget-support", "30/m")
def project_support(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    if not request.user.has_perm("budgets.support_project", project):
        raise PermissionDenied
    try:
        support_add(project=project, user=request.user)
    except BudgetRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you for supporting this project."))
    return redirect(project)


@require_http_methods(["GET", "POST"])
@login_required
@ratelimit("budget-ballot", "60/m")
def ballot(request: HttpRequest, budget_pk: int, pk: int) -> HttpResponse:
    heading = _heading(budget_pk, pk)
    budget = heading.group.budget
    if budget.phase != Phase.BALLOTING:
        raise Refused(_("The vote is not open."))
    may_vote = request.user.has_perm("budgets.vote_in_heading", heading)
    if may_vote:
        # The budget may ask for a MitID login at a level of assurance (step-up).
        step_up = step_up_redirect(request, ballot_assurance(budget))
        if step_up is not None:
            return step_up
    rules = heading.ballot_rules()
    projects = list(ballot_projects(heading))
    existing = ballot_of(heading, request.user)
    current = ballot_as_form(existing)
    error = ""
    status = 200
    if request.method == "POST":
        if not may_vote:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            current = ballot_from_form(rules, request.POST)
            if rules.style == BallotStyle.RANKED and ":" in action:
                # A ranking button without JavaScript: move, add or remove, not saved yet.
                current = FormBallot(
                    ranking_move(current.project_ids, action, [p.pk for p in projects])
                )
            elif action != "calculate":
                ballot_save(
                    heading=heading,
                    user=request.user,
                    project_ids=current.project_ids,
                    points=current.points,
                )
                messages.success(
                    request, _("Your ballot is saved. You can change it until the vote closes.")
                )
                return redirect("budgets:ballot", budget_pk=budget.pk, pk=heading.pk)
        except BudgetRefused as refusal:
            error, status = str(refusal), 400
    on_paper = bool(existing and existing.source == Ballot.Source.PAPER)
    return render(
        request,
        "budgets/ballot.html",
        {
            "heading": heading,
            "budget": budget,
            "rules": rules,
            "projects": projects,
            "error": error,
            "on_paper": on_paper,
            "now": phase_now(budget),
            "may_vote": may_vote and not (on_paper and budget.paper_rule == PaperRule.PAPER_WINS),
            **ballot_context(rules, heading, projects, current),
        },
        status=status,
    )


def ballot_context(rules, heading: Heading, projects: list[Project], current: FormBallot) -> dict:
    """What the ballot form of each style shows: the choice, and the running total."""
    if rules.style == BallotStyle.CUMULATIVE:
        points = {p.pk: (current.points or {}).get(p.pk, 0) for p in projects}
        given = sum(points.values())
        total = rules.points_total or 0
        return {
            "style": "cumulative",
            "lines": [(p, points[p.pk]) for p in projects],
            "points_given": given,
            "points_left": max(total - given, 0),
            "points_over": max(given - total, 0),
            "over": given > total,
        }
    if rules.style == BallotStyle.RANKED:
        by_pk = {p.pk: p for p in projects}
        ranking = [by_pk[pk] for pk in dict.fromkeys(current.project_ids) if pk in by_pk]
        limit = rules.ranking_length
        return {
            "style": "ranked",
            "ranked": ranking,
            "unranked": [p for p in projects if p not in ranking],
            "limit": limit,
            "full": bool(limit and len(ranking) >= limit),
            "over": bool(limit and len(ranking) > limit),
        }
    chosen = set(current.project_ids)
    total = sum(p.price or 0 for p in projects if p.pk in chosen)
    limit = rules.max_projects
    approval = rules.style == BallotStyle.APPROVAL
    if approval:
        over, over_by = bool(limit and len(chosen) > limit), max(len(chosen) - (limit or 0), 0)
    else:
        over, over_by = total > heading.amount, max(total - heading.amount, 0)
    return {
        "style": rules.style,
        "chosen": chosen,
        "total": total,
        "left": heading.amount - total,
        "approval": approval,
        "limit": limit,
        "chosen_count": len(chosen),
        "approval_left": max((limit or 0) - len(chosen), 0),
        "over": over,
        "over_by": over_by,
    }


@require_http_methods(["GET", "POST"])
@login_required
@ratelimit("budget-project", "10/h")
def project_new(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(budgets_public(), pk=pk)
    if budget.phase != Phase.ACCEPTING:
        raise Refused(_("Projects are not accepted now."))
    form = ProjectSubmitForm(request.POST or None, request.FILES or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = project_submit(
                heading=data["heading"],
                author=request.user,
                title=data["title"],
                description=data["description"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                location_description=data["location_description"],
                language=request.LANGUAGE_CODE,
                images=form.images(),
                documents=form.documents(),
            )
        except BudgetRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Thank you. Your project is submitted."))
            return redirect(project)
    return render(
        request,
        "budgets/project_form.html",
        {
            "budget": budget,
            "form": form,
            "map": budget_map(budget),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def budget_results(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(budgets_public(), pk=pk)
    if budget.phase != Phase.FINISHED:
        raise Refused(_("The results are not published yet."))
    headings = []
    for heading in Heading.objects.filter(group__budget=budget).select_related("result", "group"):
        result = getattr(heading, "result", None)
        if result is not None:
            headings.append((heading, result, result_lines(result, budget.currency)))
    return render(
        request,
        "budgets/results.html",
        {
            "budget": budget,
            "headings": headings,
            "participation": budget_participation(budget),
        },
    )


@require_GET
@login_required
def participation(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: participation statistics at any time, also during the vote."""
    if not request.user.has_perm("budgets.view_participation"):
        raise PermissionDenied
    budget = get_object_or_404(Budget, pk=pk)
    figures = budget_participation(budget)
    return render(
        request,
        "budgets/participation.html",
        {
            "budget": budget,
            "participation": figures,
            "turnout": budget_turnout(budget, figures),
        },
    )


def _require_poll_officer(request: HttpRequest) -> None:
    if not request.user.has_perm("budgets.enter_paper_ballots"):
        raise PermissionDenied


@require_GET
@login_required
def paper_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Poll officers: the headings to enter paper ballots in, and the web/paper log."""
    _require_poll_officer(request)
    budget = get_object_or_404(Budget, pk=pk)
    return render(
        request,
        "budgets/paper_overview.html",
        {
            "budget": budget,
            "headings": paper_headings(budget),
            "officers": paper_officer_totals(budget),
            "conflicts": _conflicts(budget),
            "open": budget.phase in (Phase.BALLOTING, Phase.REVIEWING_BALLOTS),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def paper_ballot(request: HttpRequest, budget_pk: int, pk: int) -> HttpResponse:
    """Poll officers: enter one paper ballot from in-person voting, for a person in the census."""
    _require_poll_officer(request)
    heading = get_object_or_404(
        Heading.objects.select_related("group__budget"), pk=pk, group__budget_id=budget_pk
    )
    budget = heading.group.budget
    rules = heading.ballot_rules()
    projects = list(ballot_projects(heading))
    current = FormBallot([])
    identifier, error, status = "", "", 200
    if request.method == "POST":
        identifier = request.POST.get("identifier", "")[:40]
        try:
            current = ballot_from_form(rules, request.POST)
            outcome = paper_ballot_enter(
                heading=heading,
                officer=request.user,
                identifier=identifier,
                project_ids=current.project_ids,
                points=current.points,
            )
        except BudgetRefused as refusal:
            error, status = str(refusal), 400
        else:
            messages.success(request, PAPER_MESSAGES[outcome]())
            return redirect("budgets:paper_ballot", budget_pk=budget.pk, pk=heading.pk)
    return render(
        request,
        "budgets/paper_ballot.html",
        {
            "heading": heading,
            "budget": budget,
            "rules": rules,
            "projects": projects,
            "identifier": identifier,
            "identifier_label": census_identifier_label(),
            "error": error,
            "paper_count": heading.ballots.filter(source=Ballot.Source.PAPER).count(),
            **paper_marks_context(rules, heading, projects, current),
        },
        status=status,
    )


def paper_marks_context(rules, heading: Heading, projects, current: FormBallot) -> dict:
    """The paper form's fields: ranks are typed as numbers, as the voter wrote them."""
    context = ballot_context(rules, heading, projects, current)
    if rules.style == BallotStyle.RANKED:
        places = {pk: i for i, pk in enumerate(dict.fromkeys(current.project_ids), start=1)}
        context["rank_lines"] = [(p, places.get(p.pk, "")) for p in projects]
        context["rank_max"] = rules.ranking_length or len(projects)
    return context


def _conflicts(budget: Budget) -> list[BallotConflict]:
    """The web/paper log, each set-aside ballot readable (titles, with points if any)."""
    conflicts = list(
        BallotConflict.objects.filter(heading__group__budget=budget)
        .select_related("heading", "officer")
        .order_by("-created_at", "-pk")[:200]
    )
    titles = dict(Project.objects.filter(heading__group__budget=budget).values_list("pk", "title"))
    for conflict in conflicts:
        conflict.set_aside_titles = record_titles(conflict.set_aside, titles)
    return conflicts


PAPER_MESSAGES = {
    PaperOutcome.ENTERED: lambda: _("The paper ballot is entered."),
    PaperOutcome.REPLACED_WEB: lambda: _(
        "The paper ballot is entered. This person had also voted on the web; the paper ballot "
        "counts instead, and the case is logged."
    ),
    PaperOutcome.WEB_KEPT: lambda: _(
        "This person had already voted on the web, and by this budget's rule the web ballot "
        "counts. The paper ballot is not counted; the case is logged."
    ),
}
