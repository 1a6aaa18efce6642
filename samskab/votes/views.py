"""Binding vote pages: the list, one vote with its ballot, the receipt and its check, the
results (page and CSV), the staff's buttons, and the booth desk and its totals."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskab.accounts.identity import step_up_notice, step_up_redirect
from samskab.core.csvsafe import safe_row
from samskab.core.ratelimit import ratelimit
from samskab.votes import selectors, services
from samskab.votes.areas import areas_map
from samskab.votes.forms import AreasForm
from samskab.votes.models import BindingVote, Booth, BoothCount, Question, Reconciliation


def vote_list(request: HttpRequest) -> HttpResponse:
    return render(request, "votes/list.html", {"votes": selectors.vote_list(request.user)})


def _vote(request: HttpRequest, pk: int) -> BindingVote:
    vote = get_object_or_404(BindingVote, pk=pk)
    if not request.user.has_perm("votes.view_vote", vote):
        raise Http404
    return vote


def _may_vote_after_steps(user, verdict: selectors.Eligibility) -> bool:
    """Allowed now, or only for want of signing in or verifying the residence."""
    return verdict.allowed or not user.is_authenticated or not user.is_resident_verified


def _detail(request, vote: BindingVote, *, error: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    verdict = selectors.eligibility(vote, user)
    questions = selectors.questions_of(vote)
    for question in questions:
        question.answer_list = list(question.answers.all())
        question.ranks = range(1, len(question.answer_list) + 1)
    return render(
        request,
        "votes/detail.html",
        {
            "vote": vote,
            "questions": questions,
            "eligibility": verdict,
            "error": error,
            "may_open": user.has_perm("votes.open_vote", vote),
            "may_close": user.has_perm("votes.close_vote", vote),
            "may_publish": user.has_perm("votes.publish_vote", vote),
            "may_manage": user.has_perm("votes.manage_vote", vote),
            "shifts": [s for s in selectors.shifts_now(user) if s.booth.vote_id == vote.pk]
            if user.is_authenticated
            else [],
            "kinds": Question.Kind,
            "map": areas_map(vote),
            "may_locate": user.has_perm("votes.locate_bindingvote", vote),
            # Said before the ballot: the MitID level the vote asks for (step-up). Not to
            # someone who cannot vote whatever their level (outside the districts or the age,
            # not in the census, voted already): MitID would not change that.
            "step_up": step_up_notice(request, vote.assurance, next_url=vote.get_absolute_url())
            if vote.status == BindingVote.Status.OPEN and _may_vote_after_steps(user, verdict)
            else None,
        },
        status=status,
    )


def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _vote(request, pk))


def ballot_from_post(vote: BindingVote, data) -> dict[int, list[int]]:
    """The ballot as the form sends it: radio or checkboxes `q-<question>`, and for a
    ranking a place `rank-<question>-<answer>` per answer ("" leaves it unranked)."""
    choices: dict[int, list[int]] = {}
    for question in selectors.ballot_rules(vote):
        if question.kind == Question.Kind.RANKING:
            placed: list[tuple[int, int]] = []
            for answer in question.answers:
                raw = data.get(f"rank-{question.pk}-{answer}", "")
                if raw:
                    if not raw.isdigit():
                        raise services.VoteRefused(_("A place in a ranking must be a number."))
                    placed.append((int(raw), answer))
            places = [p for p, _a in placed]
            if len(set(places)) != len(places):
                raise services.VoteRefused(
                    _("Two answers have the same place in “%(q)s”.") % {"q": question.text}
                )
            choices[question.pk] = [a for _p, a in sorted(placed)]
        else:
            values = [v for v in data.getlist(f"q-{question.pk}") if v]
            if any(not v.isdigit() for v in values):
                raise services.VoteRefused(_("The ballot could not be read. Please try again."))
            choices[question.pk] = [int(v) for v in values]
    return choices


@require_POST
@login_required
@ratelimit("votes-cast", "30/m")
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(request, pk)
    # A binding vote asks for MitID at its level (substantial unless staff chose otherwise).
    step_up = step_up_redirect(request, vote.assurance, next_url=vote.get_absolute_url())
    if step_up is not None:
        return step_up
    try:
        cast = services.ballot_cast(
            vote=vote, user=request.user, choices=ballot_from_post(vote, request.POST)
        )
    except services.VoteRefused as refusal:
        return _detail(request, vote, error=refusal.message, status=400)
    # Shown here once and kept nowhere: not in the session, not in a redirect's address.
    response = render(request, "votes/receipt.html", {"vote": vote, "code": cast.receipt_code})
    response["Cache-Control"] = "no-store"
    return response


def vote_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(request, pk)
    code = request.GET.get("code", "").strip()[:40]
    counted = selectors.receipt_counted(vote, code) if code else None
    response = render(
        request, "votes/receipt_check.html", {"vote": vote, "code": code, "counted": counted}
    )
    response["Cache-Control"] = "no-store"
    return response


def _published(request: HttpRequest, pk: int) -> BindingVote:
    vote = _vote(request, pk)
    if not request.user.has_perm("votes.view_results", vote):
        raise Http404
    return vote


def _answer_names(vote: BindingVote) -> dict[str, str]:
    return {str(a["id"]): a["text"] for q in vote.results["questions"] for a in q["answers"]}


def vote_results(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _published(request, pk)
    names = _answer_names(vote)
    questions = vote.results["questions"]
    for question in questions:
        question["winner_text"] = names.get(str(question["winner"]), "")
        question["round_rows"] = [
            {
                "number": i,
                "counts": [(names[k], v) for k, v in r["counts"].items()],
                "eliminated": [names[str(a)] for a in r["eliminated"]],
                "exhausted": r["exhausted"],
                "tie_broken": r["tie_broken"],
            }
            for i, r in enumerate(question["rounds"], start=1)
        ]
    turnout = vote.results["turnout"]
    return render(
        request,
        "votes/results.html",
        {"vote": vote, "questions": questions, "turnout": turnout, "channel_names": _channels()},
    )


def _channels() -> dict[str, str]:
    return {"web": _("Web"), "booth": _("Booth"), "": _("Not known")}


def vote_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _published(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="afstemning-{vote.pk}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with the mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["question", "answer", "web", "booth", "total"])
    for question in vote.results["questions"]:
        for answer in question["answers"]:
            writer.writerow(
                safe_row(
                    [
                        question["text"],
                        answer["text"],
                        answer["web"],
                        answer["booth"],
                        answer["total"],
                    ]
                )
            )
        for key, label in (("blank", "(blank)"), ("invalid", "(invalid)")):
            row = question[key]
            writer.writerow(
                safe_row([question["text"], label, row["web"], row["booth"], row["total"]])
            )
    turnout = vote.results["turnout"]
    writer.writerow([])
    writer.writerow(["turnout", "group", "people", "", ""])
    writer.writerow(["total", "", turnout["total"] if turnout["total"] is not None else "<5"])
    for part in ("channels", "ages", "areas"):
        for key, n in turnout[part]:
            writer.writerow([part, key or "unknown", n if n is not None else "<5"])
    return response


def vote_counted(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _published(request, pk)
    return render(
        request,
        "votes/counted.html",
        {"vote": vote, "receipts": selectors.counted_receipts(vote)},
    )


def _staff_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    vote = _vote(request, pk)
    try:
        action(vote=vote, by=request.user)
    except services.VoteRefused as refusal:
        messages.error(request, refusal.message)
    return redirect(vote)


@require_POST
@login_required
def vote_open(request: HttpRequest, pk: int) -> HttpResponse:
    response = _staff_action(request, pk, services.vote_open)
    return response


@require_POST
@login_required
def vote_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, services.vote_close)


@require_POST
@login_required
def vote_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, services.vote_publish)


@login_required
def vote_areas(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff upload the postal districts' outlines (votes.areas)."""
    vote = _vote(request, pk)
    if not request.user.has_perm("votes.locate_bindingvote", vote):
        raise PermissionDenied
    form = AreasForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.vote_areas_set(vote=vote, by=request.user, text=form.cleaned_data["geojson"])
        except services.VoteRefused as refusal:
            form.add_error("geojson", refusal.message)
        else:
            messages.success(request, _("The vote's map is saved."))
            return redirect(vote)
    return render(
        request,
        "votes/areas.html",
        {"vote": vote, "form": form, "map": areas_map(vote)},
        status=400 if form.errors else 200,
    )


# --- booths ----------------------------------------------------------------------------------


def _booth(request: HttpRequest, pk: int) -> Booth:
    return get_object_or_404(Booth.objects.select_related("vote"), pk=pk)


@login_required
def booth_desk(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer on shift: look a person up, record that they voted on paper."""
    booth = _booth(request, pk)
    if not request.user.has_perm("votes.officiate_booth", booth):
        return render(
            request,
            "votes/booth_off_shift.html",
            {"booth": booth, "vote": booth.vote},
            status=403,
        )
    identifier = request.POST.get("identifier", "").strip()[:40]
    lookup = error = None
    status = 200
    if request.method == "POST" and identifier:
        try:
            if request.POST.get("action") == "record":
                services.booth_record(booth=booth, officer=request.user, identifier=identifier)
                messages.success(
                    request, _("Recorded: the person voted on paper. Hand out the ballot.")
                )
                return redirect("votes:booth", pk=booth.pk)
            lookup = services.booth_lookup(booth=booth, officer=request.user, identifier=identifier)
        except services.VoteRefused as refusal:
            error, status = refusal.message, 400
    elif request.method == "POST":
        error, status = _("Type the identifier from the polling card or ID."), 400
    return render(
        request,
        "votes/booth_desk.html",
        {
            "booth": booth,
            "vote": booth.vote,
            "identifier": identifier,
            "lookup": lookup,
            "error": error,
            "recorded_today": selectors.people_recorded(booth, timezone.localdate()),
        },
        status=status,
    )


def totals_from_post(vote: BindingVote, data) -> tuple[int, dict]:
    def number(name: str) -> int:
        raw = data.get(name, "").strip() or "0"
        if not raw.isdigit():
            raise services.VoteRefused(_("Every total must be a whole number, 0 or more."))
        return int(raw)

    box = number("ballots_in_box")
    totals: dict[str, dict] = {}
    for question in selectors.questions_of(vote):
        answers = list(question.answers.all())
        entry: dict = {
            "answers": {str(a.pk): number(f"a-{a.pk}") for a in answers},
            "blank": number(f"blank-{question.pk}"),
            "invalid": number(f"invalid-{question.pk}"),
            "rankings": [],
        }
        if question.kind == Question.Kind.RANKING:
            # One line per ranking: how many ballots, a colon, the answers' numbers in order.
            by_number = {str(i): a.pk for i, a in enumerate(answers, start=1)}
            for line in data.get(f"rankings-{question.pk}", "").splitlines():
                if not line.strip():
                    continue
                count, _sep, order = line.partition(":")
                parts = [p.strip() for p in order.replace(">", ",").split(",") if p.strip()]
                if not count.strip().isdigit() or any(p not in by_number for p in parts):
                    raise services.VoteRefused(
                        _(
                            "Write each ranking as the number of ballots, a colon and the "
                            "answers' numbers in order, e.g. 12: 2, 1, 3."
                        )
                    )
                entry["rankings"].append([int(count), [by_number[p] for p in parts]])
            entry["answers"] = {}
        totals[str(question.pk)] = entry
    return box, totals


@login_required
def booth_count(request: HttpRequest, pk: int) -> HttpResponse:
    """End-of-day totals: the count, then the recount; the reconciliation follows."""
    booth = _booth(request, pk)
    if not request.user.has_perm("votes.count_booth", booth):
        raise PermissionDenied
    vote = booth.vote
    error, status = "", 200
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.POST.get("day", ""))
            box, totals = totals_from_post(vote, request.POST)
            _entry, reconciliation = services.booth_count_enter(
                booth=booth,
                officer=request.user,
                day=day,
                kind=request.POST.get("kind", ""),
                ballots_in_box=box,
                totals=totals,
            )
        except ValueError:
            error, status = _("Give the day as a date."), 400
        except services.VoteRefused as refusal:
            error, status = refusal.message, 400
        else:
            if reconciliation is None:
                messages.success(
                    request, _("The totals are saved. Now count again and enter the recount.")
                )
            elif reconciliation.reconciles:
                messages.success(
                    request,
                    _("The totals reconcile: count and recount agree with the people recorded."),
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The totals do not reconcile. Count again, or ask the vote's manager "
                        "to accept the difference with a reason."
                    ),
                )
            return redirect("votes:booth_count", pk=booth.pk)
    questions = selectors.questions_of(vote)
    for question in questions:
        question.answer_list = list(question.answers.all())
    return render(
        request,
        "votes/booth_count.html",
        {
            "booth": booth,
            "vote": vote,
            "questions": questions,
            "kinds": Question.Kind,
            "count_kinds": BoothCount.Kind,
            "today": timezone.localdate(),
            "counts": booth.counts.select_related("entered_by"),
            "reconciliations": booth.reconciliations.select_related("accepted_by"),
            "error": error,
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
def vote_booths(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: every booth day, whether its totals reconcile, and accepting a difference."""
    vote = _vote(request, pk)
    if not request.user.has_perm("votes.manage_vote", vote):
        raise PermissionDenied
    days = [
        (booth, day, n, selectors.reconciliation_of(booth, day))
        for booth, day, n in selectors.booth_days(vote)
    ]
    return render(
        request,
        "votes/booths.html",
        {
            "vote": vote,
            "booths": vote.booths.prefetch_related("hours", "shifts__officer"),
            "days": days,
        },
    )


@require_POST
@login_required
def reconciliation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    reconciliation = get_object_or_404(Reconciliation.objects.select_related("booth__vote"), pk=pk)
    try:
        services.reconciliation_accept(
            reconciliation=reconciliation, by=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, _("The difference is accepted and logged."))
    except services.VoteRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("votes:booths", pk=reconciliation.booth.vote_id)
