"""The Method of Equal Shares (MES) for approval ballots, exact, with its completions.

Definitions (equalshares.net; pabutools' `method_of_equal_shares`):
- Each voter starts with an equal share of the money (the endowment).
- Each round, for every project still possible, find the smallest price per unit of utility
  `rho` at which its supporters can pay for it, each paying `min(their money, rho * utility)`.
  With cost utilities every supporter's utility is the cost, so this is an equal split of the
  cost among the supporters, capped by what each has left; `cost / max_payment` is the
  project's "effective vote count". A project whose supporters have less money left than its
  cost is dropped for good. The project with the lowest `rho` is bought; its supporters pay.
- Ties on `rho`: by default lower cost, then more votes (equalshares.net's recommendation),
  then the election's project order (where equalshares.net would draw lots); `tie_breaking`
  chooses pabutools' order (project id as text) or CONSUL's (more votes, then higher id).
- Add1 (equalshares.net's "add1"): the endowment starts at budget/voters, rounded down to a
  whole unit (equalshares.net's "integral endowments", its tool's default; pabutools does not
  round), and rises by `increment` while the outcome with the next endowment still costs at
  most the budget; the last outcome that fits is kept. It also ends once every approved
  project is bought. The exhaustive variants ("add1e") also stop as soon as no approved
  project would still fit, as pabutools' `voter_budget_increment` does. The "u" variants then
  fill up with the most-voted projects that still fit (utilitarian completion).

The outcome is not monotone in the endowment, so Add1 cannot bisect; it steps, skipping only
endowments a pass has proved give the same outcome (see `engine`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from fractions import Fraction

from samskab.budgets.counting.election import (
    Completion,
    Deferred,
    Election,
    Outcome,
    Reason,
    Round,
    TieBreaking,
    Utility,
    Verdict,
)
from samskab.budgets.counting.engine import Pass, Prepared, Stepper, prepare
from samskab.budgets.counting.floatpass import FloatPasses, worthwhile
from samskab.budgets.counting.greedy import greedy_fill


def equal_shares(
    election: Election,
    *,
    utility: Utility = Utility.COST,
    completion: Completion = Completion.ADD1,
    increment: int = 1,
    integral_start: bool = True,
    tie_breaking: TieBreaking = TieBreaking.COST_VOTES,
    explain: bool = True,
    float_passes: bool | None = None,
) -> Outcome:
    """Count `election` by the Method of Equal Shares.

    `increment` is the Add1 step in currency units; `integral_start=False` starts Add1 at the
    exact budget/voters (as pabutools does) instead of rounding it down to a whole unit.
    `explain=False` gives the same winners without the reasons (no rounds, no spending, and
    of a project not bought only that its supporters could not pay for it): where only the
    winners are wanted (`samskab pb tally`), it saves the explaining pass. `float_passes`
    chooses how Add1 counts its passes (see `_Passes`; None, the default, takes the faster
    kind; the outcome is the same).
    """
    if increment < 1:
        raise ValueError("The Add1 increment must be at least 1.")
    prep = prepare(election, utility, tie_breaking)
    budget = election.budget
    if prep.voters == 0:
        start = Fraction(0)
    elif completion.raises_shares and integral_start:
        start = Fraction(budget // prep.voters)
    else:
        start = Fraction(budget, prep.voters)
    endowment, runs = start, 0
    found: list[int] | None = None  # the winners Add1 settled on
    if completion.raises_shares and prep.voters:
        endowment, runs, found = _add1(
            prep, budget, start, increment, completion.stops_when_exhaustive, float_passes
        )
    if explain or found is None:
        final = Pass(prep, endowment, explain=explain).run()
        runs += 1
        found = final.winners
    rounds: tuple[Round, ...] = ()
    spending: Sequence[Mapping[str, Fraction]] = ()
    if explain:
        verdicts = _verdicts(prep, final)
        rounds, spending = tuple(final.rounds), Deferred(final.spending)
    else:
        verdicts = _plain_verdicts(prep, found)
    winners = [prep.ids[p] for p in found]
    if completion.fills_up:
        added = greedy_fill(
            election, chosen=winners, reason=Reason.COMPLETION, tie_breaking=tie_breaking
        )
        for project, verdict in added.items():
            if verdict.reason is Reason.COMPLETION:
                verdicts[project] = verdict
        winners += sorted(
            (p for p, v in added.items() if v.reason is Reason.COMPLETION),
            key=lambda p: added[p].step or 0,
        )
    return Outcome(
        rule=f"equal_shares/{utility.value}/{completion.value}",
        budget=budget,
        winners=tuple(winners),
        verdicts={p: verdicts[p] for p in election.costs},
        rounds=rounds,
        endowment=endowment,
        first_endowment=start,
        runs=runs,
        spending=spending,
    )


def is_exhaustive(election: Election, winners: Sequence[str]) -> bool:
    """No project that someone approves could be added without going over the budget.

    Projects nobody approves are left out: no endowment can ever buy them (pabutools does the
    same; equalshares.net's tool counts them too).
    """
    left = election.budget - sum(election.costs[p] for p in winners)
    chosen = set(winners)
    return not any(
        v > 0 and p not in chosen and election.costs[p] <= left for p, v in election.votes().items()
    )


# --- Add1 ----------------------------------------------------------------------------


def _add1(
    prep: Prepared,
    budget: int,
    start: Fraction,
    increment: int,
    stop_when_exhaustive: bool,
    fast: bool | None = None,
) -> tuple[Fraction, int, list[int]]:
    """The endowment Add1 settles on, how many MES passes it took to find it, and the winners
    there (in the order bought)."""
    passes = _Passes(prep, start, increment, fast)
    step = 0
    winners = passes.count(step)
    while not _finished(prep, budget, winners, stop_when_exhaustive):
        # Every step before the limit gives this same outcome, which fits and is not final, so
        # Add1 would go on through all of them.
        limit = passes.limit(step)
        ahead = step + 1 if limit is None else limit
        following = passes.count(ahead, exact=ahead > step + 1 or limit is None)
        if sum(prep.cost[p] for p in following) > budget:
            # (every step from `step` to `ahead - 1` gives `winners`)
            return start + (ahead - 1) * increment, passes.passes, winners
        step, winners = ahead, following
    return start + step * increment, passes.passes, winners


class _Passes:
    """Add1's passes, each counted exactly (`Stepper`) or in floats (`FloatPasses`, every
    decision certified, and counted exactly wherever floats cannot decide): the winners are
    the same either way, only the time differs.

    The exact engine counts by money class and resumes from the first round that may come
    out otherwise, which is fast where voters pay alike (uneven popularity, real files); the
    float passes count per ballot group from the start, which is fast where almost every
    ballot differs and few rounds can be resumed (the security review's worst case). With
    `fast=None` each step takes whichever kind took less CPU time at its last pass, trying
    the other again after 8, 16, 32, ... passes; the float passes only for elections large enough
    (`floatpass.worthwhile`). `fast=True` always tries floats first, `fast=False` never.
    """

    RETRY = 8  # passes after which the slower kind is first tried again (then 16, 32, ...)
    # Floats are tried only where an exact pass takes longer than this (CPU seconds), and a
    # float pass gives up (and the step is counted exactly) once it has taken twice as long
    # as the last exact pass: a pass that does not pay off costs little.
    EXACT_SECONDS = 0.03

    def __init__(self, prep: Prepared, start: Fraction, increment: int, fast: bool | None):
        self.prep = prep
        self.start = start
        self.increment = increment
        self.stepper = Stepper(prep, start, increment)
        self.fast = fast
        self.floats: FloatPasses | None = None
        self.float_passes = 0
        self.exact_at: int | None = None  # the step of the stepper's last pass
        self.float_seconds: float | None = None
        self.exact_seconds: float | None = None
        self.since = 0
        self.retry = self.RETRY
        self.large = worthwhile(prep)
        self.previous: list[int] = []  # the winners of the step counted last
        self.unchanged = False  # a float pass gave the same winners as the step before it

    @property
    def passes(self) -> int:
        return self.stepper.passes + self.float_passes

    def limit(self, step: int) -> int | None:
        """The first step after `step` at which the outcome may differ (None: never); only an
        exact pass at `step` can say more than `step + 1`."""
        return self.stepper.limit if self.exact_at == step else step + 1

    def count(self, step: int, exact: bool = False) -> list[int]:
        """The winners at `step` (steps only go up).

        A float pass says nothing of the steps after it, so once one gives the same winners
        as the step before, the next step is counted exactly: where the outcome holds for
        many steps, the exact pass proves it and Add1 skips them (as without floats).
        """
        if not exact and not self.unchanged and self._floats_first():
            if self.floats is None:
                self.floats = FloatPasses(self.prep)
            began = time.process_time()
            winners = self.floats.count(
                self.start + step * self.increment,
                None if self.fast else began + 2 * (self.exact_seconds or 0.0),
            )
            self.float_seconds = time.process_time() - began
            if winners is not None:
                self.float_passes += 1
                self.unchanged = winners == self.previous
                self.previous = winners
                return winners
        began = time.process_time()
        winners = self.stepper.count(step)
        self.exact_seconds = time.process_time() - began
        self.exact_at = step
        self.unchanged = False
        self.previous = winners
        return winners

    def _floats_first(self) -> bool:
        if self.fast is not None:
            return self.fast
        if self.exact_seconds is None or not self.large:
            return False
        if self.exact_seconds < self.EXACT_SECONDS and self.float_seconds is None:
            return False
        if self.float_seconds is None:
            return True
        self.since += 1
        faster = self.float_seconds <= self.exact_seconds
        if self.since >= self.retry:
            self.since = 0
            self.retry *= 2  # (each retry costs a slow pass: fewer as the count goes on)
            return not faster
        return faster


def _finished(prep: Prepared, budget: int, winners: list[int], stop_when_exhaustive: bool) -> bool:
    """Add1 ends once every approved project is bought (raising shares can change nothing
    more), or, in the exhaustive variants, once no approved project would still fit."""
    chosen = set(winners)
    left = budget - sum(prep.cost[p] for p in winners)
    waiting = [p for p in range(len(prep.ids)) if prep.votes[p] and p not in chosen]
    if stop_when_exhaustive:
        return all(prep.cost[p] > left for p in waiting)
    return not waiting


def _plain_verdicts(prep: Prepared, winners: list[int]) -> dict[str, Verdict]:
    """The verdicts without the reasons' details: bought in which round, or not."""
    bought = {p: number for number, p in enumerate(winners, 1)}
    verdicts = {}
    for p, project in enumerate(prep.ids):
        cost, votes = prep.cost[p], prep.votes[p]
        if p in bought:
            verdicts[project] = Verdict(project, cost, votes, Reason.CHOSEN, step=bought[p])
        elif votes == 0:
            verdicts[project] = Verdict(project, cost, 0, Reason.NO_SUPPORTERS)
        else:
            verdicts[project] = Verdict(project, cost, votes, Reason.UNAFFORDABLE)
    return verdicts


def _verdicts(prep: Prepared, final: Pass) -> dict[str, Verdict]:
    verdicts = {}
    bought = {r.project: r.number for r in final.rounds}
    for p, project in enumerate(prep.ids):
        cost, votes = prep.cost[p], prep.votes[p]
        if project in bought:
            verdicts[project] = Verdict(project, cost, votes, Reason.CHOSEN, step=bought[project])
        elif votes == 0:
            verdicts[project] = Verdict(project, cost, 0, Reason.NO_SUPPORTERS)
        else:
            after, money, spent = final.dropped[p]
            verdicts[project] = Verdict(
                project,
                cost,
                votes,
                Reason.UNAFFORDABLE,
                step=after,
                money_behind=money,
                spent_elsewhere=tuple(
                    (prep.ids[w], amount)
                    for w, amount in sorted(spent.items(), key=lambda item: (-item[1], item[0]))
                ),
            )
    return verdicts
