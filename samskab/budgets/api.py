"""API for citizens' budgets: budgets, headings, projects and published results to read;
supporting and balloting for verified residents, through the same services as the pages
(`samskab.budgets.services`), so every rule and every refusal is the same."""

from __future__ import annotations

from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from samskab.accounts.identity import assurance_missing, step_up_message
from samskab.api.auth import signed_in
from samskab.budgets.ballots import ballot_as_form
from samskab.budgets.models import MAX_BALLOT_POINTS, BallotStyle, Budget, Heading, Phase, Project
from samskab.budgets.selectors import (
    ballot_assurance,
    ballot_of,
    budget_participation,
    budgets_public,
    heading_projects,
)
from samskab.budgets.services import BudgetRefused, ballot_save, support_add
from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id
from samskab.core.ratelimit import hit

router = Router(tags=["budgets"])
WRITE_AUTH = signed_in


class PointsIn(Schema):
    project: Id
    points: Annotated[int, Field(ge=0, le=MAX_BALLOT_POINTS)]


class BallotIn(Schema):
    """Approval and knapsack ballots: the projects chosen. Ranked ballots: the projects in
    order, best first. Cumulative ballots: `points`, each project's points (`projects` may be
    left out)."""

    projects: list[Id] = Field(default_factory=list, max_length=1000)
    points: list[PointsIn] | None = Field(default=None, max_length=1000)


def _ballot_out(heading: Heading, ballot) -> dict:
    """A ballot as the API shows it: projects (a ranking in order) and, with points, each
    project's points."""
    form = ballot_as_form(ballot)
    out: dict = {
        "heading": heading.pk,
        "projects": sorted(form.points) if form.points is not None else form.project_ids,
        "source": ballot.source if ballot else None,
    }
    if heading.style == BallotStyle.CUMULATIVE:
        out["points"] = [
            {"project": p, "points": x} for p, x in sorted((form.points or {}).items())
        ]
    if heading.style not in (BallotStyle.RANKED, BallotStyle.CUMULATIVE):
        out["projects"] = sorted(out["projects"])
    return out


def _heading_out(heading: Heading) -> dict:
    rules = heading.ballot_rules()
    return {
        "id": heading.pk,
        "name": heading.name,
        "amount": heading.amount,
        "ballot_style": rules.style,
        "max_projects": rules.max_projects,
        "points_total": rules.points_total,
        "max_points_per_project": rules.cap,
        "max_ranking": rules.ranking_length,
        "scoring": rules.scoring if rules.style == BallotStyle.RANKED else None,
    }


def _budget_out(budget: Budget) -> dict:
    return {
        "id": budget.pk,
        "title": budget.title,
        "currency": budget.currency,
        "phase": budget.phase,
        "rule": budget.rule,
        "tie_breaking": budget.tie_breaking,
        "paper_rule": budget.paper_rule,
    }


def _heading(budget_pk: Id, pk: Id) -> Heading:
    return get_object_or_404(
        Heading.objects.select_related("group__budget"),
        pk=pk,
        group__budget_id=budget_pk,
        group__budget__is_published=True,
    )


@router.get(
    "/budgets", response={200: list[dict], **READ_PROBLEMS}, summary="Published citizens' budgets"
)
def budget_list(request):
    return [_budget_out(b) for b in budgets_public()[:200]]


@router.get(
    "/budgets/{pk}",
    response={200: dict, **READ_PROBLEMS},
    summary="A budget with its groups and headings",
)
def budget_detail(request, pk: Id):
    budget = get_object_or_404(budgets_public(), pk=pk)
    return _budget_out(budget) | {
        "groups": [
            {
                "id": g.pk,
                "name": g.name,
                "max_headings": g.max_headings_supported,
                "headings": [_heading_out(h) for h in g.headings.all()],
            }
            for g in budget.groups.prefetch_related("headings")
        ]
    }


@router.get(
    "/budgets/{budget_pk}/headings/{pk}/projects",
    response={200: list[dict], **READ_PROBLEMS},
    summary="A heading's projects (in the vote: those on the ballot)",
)
def heading_project_list(request, budget_pk: Id, pk: Id):
    heading = _heading(budget_pk, pk)
    return [
        {
            "id": p.pk,
            "title": p.title,
            "status": p.status,
            "price": p.price,
            "supports": p.support_count,
            "feasibility_explanation": p.feasibility_explanation,
            "price_explanation": p.price_explanation,
        }
        for p in heading_projects(heading)[:1000]
    ]


@router.get(
    "/budgets/{pk}/results",
    response={200: dict, **READ_PROBLEMS},
    summary="Published results: winners, why each project won or lost, participation",
)
def budget_results(request, pk: Id):
    budget = get_object_or_404(budgets_public(), pk=pk)
    if budget.phase != Phase.FINISHED:
        return Status(404, {"detail": _("The results are not published yet.")})
    participation = dict(budget_participation(budget))
    headings = []
    for heading in Heading.objects.filter(group__budget=budget).select_related("result"):
        result = getattr(heading, "result", None)
        if result is None:
            continue
        stats = participation.get(heading)
        headings.append(
            _heading_out(heading)
            | {
                "winners": result.winners,
                "cost": result.cost,
                "ballots": result.voters,
                "rule": result.rule,
                "explanation": result.explanation,
                "participation": None
                if stats is None
                else {
                    "total": stats.total,
                    "sources": {c.key: c.count for c in stats.sources},
                    "age_bands": {c.key or "unknown": c.count for c in stats.ages},
                    "districts": {c.key or "unknown": c.count for c in stats.districts},
                    "note": _(
                        "Counts of fewer than 5 people are null, "
                        "as are counts that would reveal them."
                    ),
                },
            }
        )
    return _budget_out(budget) | {"headings": headings}


def _refusal(budget: Budget, phase: Phase, user, refusal: str):
    """403 for who may not, 409 for when it may not be done now, else 400."""
    if not (user.is_authenticated and user.is_resident_verified):
        return Status(
            403, {"detail": _("Only verified residents of the municipality can take part.")}
        )
    if budget.phase != phase:
        return Status(409, {"detail": refusal})
    return Status(400, {"detail": refusal})


@router.post(
    "/budgets/projects/{pk}/supports",
    response={201: dict, **PROBLEMS},
    auth=WRITE_AUTH,
    summary="Support a project (verified residents, in the selecting phase)",
)
def project_support(request, pk: Id):
    if not hit(request, "budget-support", "30/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    project = get_object_or_404(
        Project.objects.select_related("heading__group__budget"),
        pk=pk,
        heading__group__budget__is_published=True,
    )
    try:
        support_add(project=project, user=request.user)
    except BudgetRefused as refusal:
        return _refusal(project.heading.group.budget, Phase.SELECTING, request.user, str(refusal))
    return Status(201, {"detail": "supported"})


@router.get(
    "/budgets/{budget_pk}/headings/{pk}/ballot",
    response={200: dict, **READ_PROBLEMS},
    auth=WRITE_AUTH,
    summary="Your ballot in a heading",
)
def ballot_read(request, budget_pk: Id, pk: Id):
    heading = _heading(budget_pk, pk)
    return _ballot_out(heading, ballot_of(heading, request.user))


@router.put(
    "/budgets/{budget_pk}/headings/{pk}/ballot",
    response={200: dict, **PROBLEMS},
    auth=WRITE_AUTH,
    summary="Save or change your ballot in a heading (an empty list withdraws it)",
)
def ballot_write(request, budget_pk: Id, pk: Id, payload: BallotIn):
    if not hit(request, "budget-ballot", "60/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    heading = _heading(budget_pk, pk)
    missing = assurance_missing(request, ballot_assurance(heading.group.budget))
    if missing:
        return Status(403, {"detail": step_up_message(missing)})
    points = None
    if payload.points is not None:
        points = {}
        for line in payload.points:
            if line.project in points:
                return Status(400, {"detail": _("A project is given points twice.")})
            points[line.project] = line.points
    try:
        ballot = ballot_save(
            heading=heading, user=request.user, project_ids=payload.projects, points=points
        )
    except BudgetRefused as refusal:
        return _refusal(heading.group.budget, Phase.BALLOTING, request.user, str(refusal))
    return Status(200, _ballot_out(heading, ballot) | {"source": "web"})
