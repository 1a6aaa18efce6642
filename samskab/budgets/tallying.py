"""Counting a budget's vote and publishing the result, never in one click.

An editor asks for the count (tally_request), the worker counts every heading (tally_run, with
progress for the staff page), staff read the outcome and why each project won or not, and
confirm it (tally_confirm). If the budget asks for a second person, another staff account
approves it (tally_approve). Only then are the results published (_publish): HeadingResult
rows, the projects' statuses, their history and e-mails, and the phase Finished. Each step is
in one transaction and recorded on the Tally row (who and when).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samskab.budgets.counting import (
    Completion,
    Election,
    Outcome,
    Utility,
    equal_shares,
    greedy,
)
from samskab.budgets.counting import TieBreaking as CountingTieBreaking
from samskab.budgets.counting.scored import ScoredElection, equal_shares_scored, greedy_by_score
from samskab.budgets.explain import outcome_to_json
from samskab.budgets.models import (
    Budget,
    Heading,
    HeadingResult,
    Phase,
    Project,
    ProjectEventKind,
    Rule,
    Tally,
    TieBreaking,
)
from samskab.budgets.selectors import heading_vote
from samskab.budgets.services import BudgetRefused, lock_budget

logger = logging.getLogger(__name__)


def count(
    election: Election | ScoredElection, rule: str, tie_breaking: str = TieBreaking.COST_VOTES
) -> Outcome:
    """Count one heading by the budget's rule. Ballots with points (cumulative, or a ranking's
    Borda points) are counted as pabulib counts them: greedy by total points, and Equal Shares
    with each voter's points as what a funded project is worth to them."""
    breaking = CountingTieBreaking(tie_breaking)
    if isinstance(election, ScoredElection):
        if rule == Rule.GREEDY:
            return greedy_by_score(
                election.approval(), scores=election.scores(), tie_breaking=breaking
            )
        return equal_shares_scored(election, completion=Completion.ADD1, tie_breaking=breaking)
    if rule == Rule.GREEDY:
        return greedy(election, tie_breaking=breaking)
    return equal_shares(
        election, utility=Utility.COST, completion=Completion.ADD1, tie_breaking=breaking
    )


def voters_of(election: Election | ScoredElection) -> int:
    if isinstance(election, ScoredElection):
        return election.approval().voters
    return election.voters


def _may_count(user) -> bool:
    from samskab.accounts.roles import Role, has_role

    return has_role(user, Role.EDITOR) or has_role(user, Role.ADMINISTRATOR)


def ballots_digest(election: Election | ScoredElection) -> str:
    """A fingerprint of what was counted: the amount, the costs and every ballot."""
    data: dict = {"budget": election.budget, "costs": sorted(election.costs.items())}
    if isinstance(election, ScoredElection):
        data["points"] = sorted(sorted(b.items()) for b in election.ballots)
    else:
        data["approvals"] = sorted(sorted(b) for b in election.approvals)
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def latest_tally(budget: Budget) -> Tally | None:
    return budget.tallies.order_by("-requested_at", "-pk").first()


def tally_request(*, budget: Budget, user) -> Tally:
    """Ask the worker to count the vote; nothing is published by counting."""
    from samskab.budgets.tasks import tally_run_task

    if not _may_count(user):
        raise BudgetRefused(_("Only editors and administrators can count the vote."))
    with transaction.atomic():
        budget = lock_budget(budget)
        if budget.phase != Phase.REVIEWING_BALLOTS:
            raise BudgetRefused(
                _(
                    "Close the vote first: the vote is counted while ballots are reviewed "
                    "(move the budget to that phase on the phases page)."
                )
            )
        previous = latest_tally(budget)
        if previous is not None and previous.is_active:
            return previous
        # An earlier outcome that was not published is replaced by the new count.
        budget.tallies.filter(state__in=[Tally.State.DONE, Tally.State.FAILED]).update(
            state=Tally.State.DISCARDED, discarded_by=user, discarded_at=timezone.now()
        )
        tally = Tally.objects.create(
            budget=budget,
            rule=budget.rule,
            tie_breaking=budget.tie_breaking,
            headings_total=Heading.objects.filter(group__budget=budget).count(),
            requested_by=user,
        )
        transaction.on_commit(lambda: tally_run_task.enqueue(tally_id=tally.pk))
    return tally


def tally_run(*, tally_id: int) -> Tally | None:
    """The worker's part: count every heading and keep the outcome for staff to check."""
    with transaction.atomic():
        tally = Tally.objects.select_for_update().filter(pk=tally_id).first()
        if tally is None or tally.state != Tally.State.QUEUED:
            return tally  # discarded meanwhile, or run twice
        tally.state, tally.started_at = Tally.State.RUNNING, timezone.now()
        tally.save(update_fields=["state", "started_at"])
    results: dict[str, dict] = {}
    try:
        for heading in Heading.objects.filter(group__budget_id=tally.budget_id).order_by("pk"):
            election = heading_vote(heading)
            outcome = count(election, tally.rule, tally.tie_breaking)
            voters = voters_of(election)
            explanation = outcome_to_json(outcome, voters=voters)
            explanation["by_points"] = isinstance(election, ScoredElection)
            results[str(heading.pk)] = {
                "rule": tally.rule,
                "winners": [int(p) for p in outcome.winners],
                "cost": outcome.cost,
                "voters": voters,
                "explanation": explanation,
                "ballots": ballots_digest(election),
            }
            # Progress for the staff page, committed at once (the worker runs in autocommit).
            Tally.objects.filter(pk=tally.pk).update(headings_done=F("headings_done") + 1)
    # The error is stored untranslated and shown in each reader's language.
    except OverflowError:
        return _tally_failed(
            tally,
            gettext_noop(
                "An amount or price is too large to count. Check the headings and prices."
            ),
        )
    except Exception:
        logger.exception("budgets: count %s failed", tally.pk)
        return _tally_failed(
            tally, gettext_noop("The count failed. The error is in the server's log.")
        )
    Tally.objects.filter(pk=tally.pk, state=Tally.State.RUNNING).update(
        state=Tally.State.DONE, results=results, finished_at=timezone.now()
    )
    tally.refresh_from_db()
    return tally


def _tally_failed(tally: Tally, message: str) -> Tally:
    Tally.objects.filter(pk=tally.pk, state=Tally.State.RUNNING).update(
        state=Tally.State.FAILED, error=message, finished_at=timezone.now()
    )
    tally.refresh_from_db()
    return tally


def _tally_locked(tally: Tally, user) -> tuple[Budget, Tally]:
    """The budget and the count, locked, checked to be the latest outcome, ready to publish
    and still what the ballots say."""
    if not _may_count(user):
        raise BudgetRefused(_("Only editors and administrators can publish results."))
    budget = lock_budget(tally.budget)
    tally = Tally.objects.select_for_update().get(pk=tally.pk)
    if tally.state != Tally.State.DONE or latest_tally(budget) != tally:
        raise BudgetRefused(_("This count is not the latest outcome. Look at the page again."))
    if budget.phase != Phase.REVIEWING_BALLOTS:
        raise BudgetRefused(_("Results are published while ballots are reviewed."))
    if (tally.rule, tally.tie_breaking) != (budget.rule, budget.tie_breaking):
        raise BudgetRefused(_("The counting rule has changed since this count. Count again."))
    for heading in Heading.objects.filter(group__budget=budget):
        stored = tally.results.get(str(heading.pk))
        if stored is None or stored["ballots"] != ballots_digest(heading_vote(heading)):
            raise BudgetRefused(
                _(
                    "The ballots, the projects or the amounts have changed since this count "
                    "(for example a paper ballot was entered or corrected). Count again."
                )
            )
    return budget, tally


def tally_confirm(*, tally: Tally, user) -> Tally:
    """Staff have checked the outcome: publish it, or, if the budget asks for a second
    person, record the confirmation and wait for their approval."""
    with transaction.atomic():
        budget, tally = _tally_locked(tally, user)
        if tally.confirmed_by_id is not None:
            raise BudgetRefused(_("This count is already confirmed."))
        tally.confirmed_by, tally.confirmed_at = user, timezone.now()
        tally.save(update_fields=["confirmed_by", "confirmed_at"])
        if not budget.second_approval:
            _publish(budget, tally)
    return tally


def tally_approve(*, tally: Tally, user) -> Tally:
    """The second person approves a confirmed count, and the results are published."""
    with transaction.atomic():
        budget, tally = _tally_locked(tally, user)
        if tally.confirmed_by_id is None:
            raise BudgetRefused(_("The count must be confirmed before it is approved."))
        if tally.confirmed_by_id == user.pk:
            raise BudgetRefused(
                _("Another staff member than the one who confirmed the count must approve it.")
            )
        tally.approved_by, tally.approved_at = user, timezone.now()
        tally.save(update_fields=["approved_by", "approved_at"])
        _publish(budget, tally)
    return tally


def tally_discard(*, tally: Tally, user) -> Tally:
    """Set an unpublished count aside (for example to count again after a correction)."""
    if not _may_count(user):
        raise BudgetRefused(_("Only editors and administrators can count the vote."))
    with transaction.atomic():
        tally = Tally.objects.select_for_update().get(pk=tally.pk)
        if tally.state in (Tally.State.PUBLISHED, Tally.State.DISCARDED):
            raise BudgetRefused(_("This count can no longer be discarded."))
        tally.state = Tally.State.DISCARDED
        tally.discarded_by, tally.discarded_at = user, timezone.now()
        tally.save(update_fields=["state", "discarded_by", "discarded_at"])
    return tally


def _publish(budget: Budget, tally: Tally) -> None:
    # The only place that writes results: called inside tally_confirm or tally_approve's
    # transaction, with the budget locked and the ballots checked unchanged.
    for heading in Heading.objects.filter(group__budget=budget):
        stored = tally.results[str(heading.pk)]
        HeadingResult.objects.update_or_create(
            heading=heading,
            defaults={
                "rule": stored["rule"],
                "winners": stored["winners"],
                "cost": stored["cost"],
                "voters": stored["voters"],
                "explanation": stored["explanation"],
            },
        )
        ids = [int(p) for p in stored["explanation"]["verdicts"]]
        winners = stored["winners"]
        # Queryset updates: Project.save refuses result statuses (models.Project.save).
        Project.objects.filter(pk__in=winners).update(status=Project.Status.WINNER)
        Project.objects.filter(pk__in=set(ids) - set(winners)).update(
            status=Project.Status.NOT_WINNER
        )
        _record_results(ids)
    tally.state, tally.published_at = Tally.State.PUBLISHED, timezone.now()
    tally.save(update_fields=["state", "published_at"])
    budget.phase = Phase.FINISHED
    budget.save(update_fields=["phase"])


def _record_results(project_ids: Iterable[int]) -> None:
    # Each project's history gets its result, and its author and followers an e-mail.
    from samskab.budgets.process import project_event_record

    for project in Project.objects.filter(pk__in=project_ids):
        project_event_record(project=project, kind=ProjectEventKind.RESULT)
