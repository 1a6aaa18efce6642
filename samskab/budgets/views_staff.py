"""Staff pages for the end of a vote: counting with a preview and confirmation (and a second
person's approval where the budget asks for it), and poll officers' list of the paper ballots
they entered, to correct or void them with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samskab.budgets.ballots import ballot_as_form, ballot_from_form, record_titles
from samskab.budgets.export import results_csv
from samskab.budgets.models import (
    Ballot,
    Budget,
    Heading,
    HeadingResult,
    PaperBallotChange,
    Phase,
    Project,
    Tally,
)
from samskab.budgets.selectors import ballot_projects, paper_ballots, result_lines
from samskab.budgets.services import (
    PAPER_PHASES,
    BudgetRefused,
    paper_ballot_correct,
    paper_ballot_void,
)
from samskab.budgets.tallying import (
    latest_tally,
    tally_approve,
    tally_confirm,
    tally_discard,
    tally_request,
)
from samskab.budgets.views import paper_marks_context

# --- counting ----------------------------------------------------------------------------


def _counting_budget(request: HttpRequest, pk: int) -> Budget:
    budget = get_object_or_404(Budget, pk=pk)
    if not request.user.has_perm("budgets.finish_budget", budget):
        raise PermissionDenied
    return budget


def _preview(tally: Tally | None, budget: Budget) -> list:
    """Each heading's outcome of an unpublished count, as the results page would show it."""
    if tally is None or tally.state != Tally.State.DONE:
        return []
    headings = []
    for heading in Heading.objects.filter(group__budget=budget).order_by("pk"):
        stored = tally.results.get(str(heading.pk))
        if stored is None:
            continue
        result = HeadingResult(
            heading=heading,
            rule=stored["rule"],
            winners=stored["winners"],
            cost=stored["cost"],
            voters=stored["voters"],
            explanation=stored["explanation"],
        )
        headings.append((heading, result, result_lines(result, budget.currency)))
    return headings


@require_http_methods(["GET", "POST"])
@login_required
def staff_count(request: HttpRequest, pk: int) -> HttpResponse:
    """Count the vote, read the outcome and why, then confirm (and approve) to publish it."""
    budget = _counting_budget(request, pk)
    tally = latest_tally(budget)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "count":
                tally_request(budget=budget, user=request.user)
                messages.success(request, _("The vote is being counted. Nothing is published yet."))
            elif tally is None or str(tally.pk) != request.POST.get("tally"):
                raise BudgetRefused(
                    _("This count is not the latest outcome. Look at the page again.")
                )
            elif action == "confirm":
                if request.POST.get("checked") != "1":
                    raise BudgetRefused(
                        _("Tick that you have checked the outcome before you confirm it.")
                    )
                tally = tally_confirm(tally=tally, user=request.user)
                if tally.state == Tally.State.PUBLISHED:
                    messages.success(request, _("The results are published."))
                else:
                    messages.success(
                        request,
                        _("The count is confirmed. Another staff member must now approve it."),
                    )
            elif action == "approve":
                tally_approve(tally=tally, user=request.user)
                messages.success(
                    request, _("The count is approved, and the results are published.")
                )
            elif action == "discard":
                tally_discard(tally=tally, user=request.user)
                messages.success(request, _("The count is discarded. Nothing was published."))
            else:
                raise BudgetRefused(_("Unknown action."))
        except BudgetRefused as refusal:
            messages.error(request, str(refusal))
        return redirect("budgets:staff_count", pk=budget.pk)
    return render(
        request,
        "budgets/staff_count.html",
        {
            "budget": budget,
            "tally": tally,
            "preview": _preview(tally, budget),
            "may_count": budget.phase == Phase.REVIEWING_BALLOTS,
            "history": budget.tallies.select_related(
                "requested_by", "confirmed_by", "approved_by", "discarded_by"
            )[:20],
        },
    )


@require_GET
@login_required
def staff_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The published results as CSV for the decision record (review finding 26)."""
    budget = _counting_budget(request, pk)
    if budget.phase != Phase.FINISHED:
        raise Http404
    response = HttpResponse(results_csv(budget), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="borgerbudget-{budget.pk}.csv"'
    return response


@require_GET
@login_required
def staff_count_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The count's state and progress alone; htmx polls it while the worker counts, and
    reloads the page when the count is done (to show the outcome)."""
    budget = _counting_budget(request, pk)
    tally = latest_tally(budget)
    response = render(
        request, "budgets/partials/count_status.html", {"budget": budget, "tally": tally}
    )
    if request.headers.get("HX-Request") and not (tally and tally.is_active):
        response["HX-Refresh"] = "true"
    return response


# --- paper ballots: list, correct, void ---------------------------------------------------


def _require_poll_officer(request: HttpRequest) -> None:
    if not request.user.has_perm("budgets.enter_paper_ballots"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def paper_ballot_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper ballots this poll officer entered (an administrator sees everyone's), newest
    first, each with its projects, to correct or void; and the log of corrections.

    A person is found by their identifier (a CPR number) sent by POST, never in the address:
    an address is kept in the browser's history and the web server's access log."""
    _require_poll_officer(request)
    budget = get_object_or_404(Budget, pk=pk)
    identifier = request.POST.get("identifier", "")[:40].strip()
    ballots = paper_ballots(budget, request.user, identifier=identifier)
    changes = list(
        PaperBallotChange.objects.filter(heading__group__budget=budget)
        .select_related("heading", "changed_by", "entered_by")
        .order_by("-created_at", "-pk")[:200]
    )
    # The log keeps project numbers (a project may be renamed); show their titles.
    titles = dict(Project.objects.filter(heading__group__budget=budget).values_list("pk", "title"))
    for change in changes:
        change.before_titles = record_titles(change.before, titles)
        change.after_titles = record_titles(change.after, titles)
    return render(
        request,
        "budgets/paper_list.html",
        {
            "budget": budget,
            "ballots": ballots[:500],
            "identifier": identifier,
            "open": budget.phase in PAPER_PHASES,
            "changes": changes,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def paper_ballot_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a paper ballot's projects, or void it; either needs a reason and is logged."""
    _require_poll_officer(request)
    ballot = get_object_or_404(
        Ballot.objects.select_related("heading__group__budget", "entered_by"),
        pk=pk,
        source=Ballot.Source.PAPER,
    )
    if not request.user.has_perm("budgets.change_paper_ballot", ballot):
        raise PermissionDenied
    heading = ballot.heading
    budget = heading.group.budget
    rules = heading.ballot_rules()
    projects = list(ballot_projects(heading))
    current = ballot_as_form(ballot)
    reason, error, status = "", "", 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:1000]
        action = request.POST.get("action")
        try:
            if action == "void":
                paper_ballot_void(ballot=ballot, officer=request.user, reason=reason)
                messages.success(
                    request,
                    _("Paper ballot %(number)d is voided and not counted. The reason is logged.")
                    % {"number": ballot.pk},
                )
                return redirect("budgets:paper_list", pk=budget.pk)
            current = ballot_from_form(rules, request.POST)
            paper_ballot_correct(
                ballot=ballot,
                officer=request.user,
                project_ids=current.project_ids,
                points=current.points,
                reason=reason,
            )
        except BudgetRefused as refusal:
            error, status = str(refusal), 400
        else:
            messages.success(
                request,
                _("Paper ballot %(number)d is corrected. The change is logged.")
                % {"number": ballot.pk},
            )
            return redirect("budgets:paper_list", pk=budget.pk)
    return render(
        request,
        "budgets/paper_change.html",
        {
            "ballot": ballot,
            "heading": heading,
            "budget": budget,
            "rules": rules,
            "projects": projects,
            "reason": reason,
            **paper_marks_context(rules, heading, projects, current),
            "error": error,
            "open": budget.phase in PAPER_PHASES,
        },
        status=status,
    )
