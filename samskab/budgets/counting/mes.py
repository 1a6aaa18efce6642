"""The Method of Equal Shares (MES) for approval ballots, exact, with its completions.

Definitions (equalshares.net; pabutools' `method_of_equal_shares`):
- Each voter starts with an equal share of the money (the endowment).
- Each round, for every project still possible, find the smallest price per unit of utility
  `rho` at which its supporters can pay for it, each paying `min(their money, rho * utility)`.
  With cost utilities every supporter's utility is the cost, so this is an equal split of the
  cost among the supporters, capped by what each has left; `cost / max_payment` is the
  project's "effective vote count". A project whose supporters have less money left than its
  cost is dropped for good. The project with the lowest `rho` is bought; its supporters pay.
- Ties on `rho`: lower cost, then more votes (equalshares.net's recommendation), then the
  election's project order (where equalshares.net would draw lots).
- Add1 completion: the endowment starts at budget/voters rounded down to a whole unit
  (equalshares.net's "integral endowments", its tool's default) and rises by `increment` while
  the outcome is not exhaustive (some project approved by someone would still fit) and the
  outcome with the next endowment would still cost at most the budget. The last outcome that
  fits is kept. ADD1_UTILITARIAN then fills up greedily by votes (equalshares.net's "add1u").

Speed without giving up exactness: money is held as integers over one common denominator that
grows only when a payment needs it, and voters with the same money are grouped (identical
ballots are one group; groups with equal money share a "class"), so a project's supporters
are a handful of classes, not thousands of voters. For Add1 each class's money is kept as an
affine function of the endowment step t, alpha*t + beta. Every comparison a pass makes is then
a comparison of affine functions, so a pass at endowment e also tells how many steps ahead its
first comparison could turn out differently: up to there every pass would make the same choices
and buy the same projects. Add1 jumps there directly instead of re-running MES at each unit.
This is exact (no monotonicity is assumed: the outcome is not monotone in the endowment).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from samskab.budgets.counting.election import (
    Completion,
    Election,
    Outcome,
    Reason,
    Round,
    TieBreak,
    Utility,
    Verdict,
)
from samskab.budgets.counting.greedy import greedy_fill


def equal_shares(
    election: Election,
    *,
    utility: Utility = Utility.COST,
    completion: Completion = Completion.ADD1,
    increment: int = 1,
    integral_start: bool = True,
) -> Outcome:
    """Count `election` by the Method of Equal Shares.

    `increment` is the Add1 step in currency units; `integral_start=False` starts Add1 at the
    exact budget/voters (as pabutools does) instead of rounding it down to a whole unit.
    """
    if increment < 1:
        raise ValueError("The Add1 increment must be at least 1.")
    prep = _prepare(election, utility)
    budget = election.budget
    if prep.voters == 0:
        start = Fraction(0)
    elif completion.raises_shares and integral_start:
        start = Fraction(budget // prep.voters)
    else:
        start = Fraction(budget, prep.voters)
    endowment, runs = start, 0
    if completion.raises_shares and prep.voters:
        endowment, runs = _add1(
            prep, budget, start, increment, stop_when_exhaustive=completion.stops_when_exhaustive
        )
    final = _Pass(prep, endowment, 0, certify=False, explain=True)
    final.run()
    runs += 1
    verdicts = _verdicts(prep, final)
    winners = [prep.ids[p] for p in final.winners]
    if completion.fills_up:
        added = greedy_fill(election, chosen=winners, reason=Reason.COMPLETION)
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
        rounds=tuple(final.rounds),
        endowment=endowment,
        first_endowment=start,
        runs=runs,
        spending=final.spending(),
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


# --- preparation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prepared:
    ids: tuple[str, ...]
    cost: tuple[int, ...]
    votes: tuple[int, ...]
    util: tuple[int, ...]  # the utility of the project to each of its supporters
    key: tuple[tuple[int, int, int], ...]  # tie-break order: cost, -votes, position
    supporters: tuple[tuple[int, ...], ...]  # ballot groups approving each project
    weight: tuple[int, ...]  # voters in each ballot group
    group_of_ballot: tuple[int, ...]
    voters: int


def _prepare(election: Election, utility: Utility) -> _Prepared:
    ids = tuple(election.costs)
    index = {p: i for i, p in enumerate(ids)}
    groups: dict[frozenset[str], int] = {}
    weight: list[int] = []
    group_of_ballot = []
    for ballot, count in zip(election.approvals, election.ballot_counts(), strict=True):
        g = groups.setdefault(ballot, len(groups))
        if g == len(weight):
            weight.append(0)
        weight[g] += count
        group_of_ballot.append(g)
    supporters: list[list[int]] = [[] for _ in ids]
    votes = [0] * len(ids)
    for ballot, g in groups.items():
        if weight[g]:
            for project in ballot:
                supporters[index[project]].append(g)
                votes[index[project]] += weight[g]
    cost = tuple(election.costs[p] for p in ids)
    util = cost if utility is Utility.COST else (1,) * len(ids)
    return _Prepared(
        ids=ids,
        cost=cost,
        votes=tuple(votes),
        util=util,
        key=tuple((cost[i], -votes[i], i) for i in range(len(ids))),
        supporters=tuple(tuple(s) for s in supporters),
        weight=tuple(weight),
        group_of_ballot=tuple(group_of_ballot),
        voters=sum(weight),
    )


def _add1(
    prep: _Prepared, budget: int, start: Fraction, increment: int, *, stop_when_exhaustive: bool
) -> tuple[Fraction, int]:
    """The endowment Add1 settles on, and how many MES passes it took to find it."""
    endowment = start
    current = _Pass(prep, endowment, increment, certify=True, explain=False)
    current.run()
    runs = 1
    # A pass that certifies how far its outcome holds costs a quarter more. Where outcomes keep
    # changing at every step (as in Wieliczka) certifying is tried ever more rarely; where they
    # hold for long stretches (a costly project waiting for its few supporters' shares to grow)
    # it skips thousands of passes.
    wait = backoff = 0
    while not _finished(prep, budget, current.winners, stop_when_exhaustive):
        # Every endowment before `endowment + steps * increment` gives this same outcome, which
        # fits and is not final, so Add1 would go on through all of them.
        steps = current.limit if current.certify and current.limit is not None else 1
        ahead = endowment + steps * increment
        following = _Pass(prep, ahead, increment, certify=wait == 0, explain=False)
        following.run()
        runs += 1
        if sum(prep.cost[p] for p in following.winners) > budget:
            return ahead - increment, runs
        if not following.certify:
            wait -= 1
        elif following.limit == 1:
            backoff = max(1, 2 * backoff)
            wait = backoff
        else:
            backoff = 0
        endowment, current = ahead, following
    return endowment, runs


def _finished(prep: _Prepared, budget: int, winners: list[int], stop_when_exhaustive: bool) -> bool:
    """Add1 ends once every approved project is bought (raising shares can change nothing
    more), or, in the exhaustive variants, once no approved project would still fit."""
    chosen = set(winners)
    left = budget - sum(prep.cost[p] for p in winners)
    waiting = [p for p in range(len(prep.ids)) if prep.votes[p] and p not in chosen]
    if stop_when_exhaustive:
        return all(prep.cost[p] > left for p in waiting)
    return not waiting


# --- one pass of MES ---------------------------------------------------------------------

_FLOAT_MARGIN = 1 + 2**-40  # far above two float roundings


def _steps_until_negative(d0: int, slope: int) -> int | None:
    """First t >= 1 with d0 + slope*t < 0, given d0 >= 0; None if never."""
    return None if slope >= 0 else d0 // -slope + 1


def _steps_until_nonpositive(d0: int, slope: int) -> int | None:
    """First t >= 1 with d0 + slope*t <= 0, given d0 > 0; None if never."""
    return None if slope >= 0 else -(-d0 // -slope)


@dataclass(slots=True)
class _Evaluation:
    project: int
    classes: dict[int, int]  # money class -> voters among the supporters
    poor: list[int]  # classes that pay all they have
    rich: int  # supporters paying the full share
    paid_a: int  # what the poor pay, as alpha*t + beta over the common denominator
    paid_b: int
    # rho(t) = (rho_a * t + rho_b) / rho_d, in currency per unit of utility
    rho_a: int
    rho_b: int
    rho_d: int


@dataclass(slots=True)
class _Pass:
    """One run of MES at one endowment (plus, when certifying, the steps it stays valid for)."""

    prep: _Prepared
    endowment: Fraction
    increment: int
    certify: bool
    explain: bool
    winners: list[int] = field(default_factory=list)
    limit: int | None = None  # first step at which the outcome might differ
    rounds: list[Round] = field(default_factory=list)
    dropped: dict[int, tuple[int, Fraction, dict[int, Fraction]]] = field(default_factory=dict)
    payments: list[list[tuple[int, Fraction]]] = field(default_factory=list)

    def _bound(self, steps: int | None) -> None:
        if steps is not None and (self.limit is None or steps < self.limit):
            self.limit = steps

    def run(self) -> None:
        prep = self.prep
        cost, util, key, supporters, weight = (
            prep.cost,
            prep.util,
            prep.key,
            prep.supporters,
            prep.weight,
        )
        certify, explain = self.certify, self.explain
        # Money classes: class c holds (alpha[c] * t + beta[c]) / den per voter. Class 0 is
        # the voters who have nothing left; it is never rescaled.
        den = self.endowment.denominator
        alpha = [0, self.increment * den if certify else 0]
        beta = [0, self.endowment.numerator]
        live = {1: prep.voters}  # class -> voters in it (class 0 left out)
        group_class = [1] * len(weight)
        if explain:
            self.payments = [[] for _ in weight]
        # The last rho computed for each project, a lower bound of its rho from then on (money
        # only goes down from round to round). It starts at the all-supporters-pay-equally rho.
        prev_a = [0] * len(cost)
        prev_b = list(cost)
        prev_d = [v * u for v, u in zip(prep.votes, util, strict=True)]
        remaining = []
        for p in range(len(cost)):
            if prep.votes[p] and cost[p] == 0:
                self._buy_free(p)
            elif prep.votes[p]:
                remaining.append(p)

        while remaining:
            # Scan in the order of the lower bounds, so that the best is found early and the
            # rest can be passed over. Floats only order the scan and end it where they are
            # far from a tie (a float quotient of integers is within 2**-53 of the truth);
            # every other decision is exact.
            bounds = {p: prev_b[p] / prev_d[p] for p in remaining}
            remaining.sort(key=lambda p: (bounds[p], key[p]))
            best: _Evaluation | None = None
            best_float = math.inf
            evaluated: list[_Evaluation] = []
            pruned: list[int] = []
            unaffordable: list[int] = []
            for index, p in enumerate(remaining):
                if best is not None and not explain:
                    if bounds[p] > best_float * _FLOAT_MARGIN:
                        pruned += remaining[index:]  # these lower bounds and all later ones lose
                        break
                    if prev_b[p] * best.rho_d > best.rho_b * prev_d[p]:
                        pruned.append(p)  # even its lower bound is worse than the best so far
                        continue
                classes: dict[int, int] = {}
                for g in supporters[p]:
                    c = group_class[g]
                    classes[c] = classes.get(c, 0) + weight[g]
                cost_den = cost[p] * den
                money_b = 0
                for c, w in classes.items():
                    money_b += w * beta[c]
                if money_b < cost_den:
                    unaffordable.append(p)
                    if certify:
                        money_a = sum(w * alpha[c] for c, w in classes.items())
                        if money_a:
                            self._bound(-((money_b - cost_den) // money_a))
                    if explain:
                        self._record_drop(p, classes, money_b, den)
                    continue
                # Water-filling: the poorest pay all they have while that is less than an equal
                # share of what is left to pay; everyone from there on pays the same share.
                rich = prep.votes[p]
                paid_a = paid_b = 0
                poor = []
                for c in sorted(classes, key=beta.__getitem__):
                    if beta[c] * rich >= cost_den - paid_b:
                        break
                    w = classes[c]
                    poor.append(c)
                    paid_a += w * alpha[c]
                    paid_b += w * beta[c]
                    rich -= w
                evaluation = _Evaluation(
                    p, classes, poor, rich, paid_a, paid_b,
                    -paid_a, cost_den - paid_b, rich * util[p] * den,
                )  # fmt: skip
                prev_a[p], prev_b[p], prev_d[p] = (
                    evaluation.rho_a,
                    evaluation.rho_b,
                    evaluation.rho_d,
                )
                evaluated.append(evaluation)
                if best is None or _better(evaluation, best, key):
                    best = evaluation
                    best_float = best.rho_b / best.rho_d
            for p in unaffordable:
                remaining.remove(p)
            if best is None:
                break
            if certify:
                # The chosen project's poor must stay poor (rich * money(c, t) <= cost -
                # paid(t)), or its payments would follow another formula; its rich stay rich
                # by themselves (their money rises with t, the equal share falls).
                cost_den = cost[best.project] * den
                for c in best.poor:
                    self._bound(
                        _steps_until_negative(
                            cost_den - best.paid_b - best.rich * beta[c],
                            -best.paid_a - best.rich * alpha[c],
                        )
                    )
                self._certify_choice(best, evaluated, pruned, prev_a, prev_b, prev_d)
            remaining.remove(best.project)
            self.winners.append(best.project)
            if explain:
                self._record_round(best, evaluated, den, beta, group_class)
            # Payment: q(t) = (cost - paid(t)) / rich per rich supporter, over den. Rescale
            # everything so that q is a whole number of the new, finer unit.
            num_b = cost[best.project] * den - best.paid_b
            num_a = -best.paid_a
            common = math.gcd(best.rich, num_b, num_a)
            factor = best.rich // common
            if factor != 1:
                den *= factor
                for c in live:
                    alpha[c] *= factor
                    beta[c] *= factor
            q_a, q_b = num_a // common, num_b // common
            exhausted = set(best.poor)
            moved: dict[int, int] = {}
            for c, w in best.classes.items():
                if c in exhausted:
                    moved[c] = 0
                else:
                    moved[c] = len(beta)
                    alpha.append(alpha[c] - q_a)
                    beta.append(beta[c] - q_b)
                    live[moved[c]] = w
                if c:
                    live[c] -= w
                    if not live[c]:
                        del live[c]
            for g in supporters[best.project]:
                group_class[g] = moved[group_class[g]]

    def spending(self) -> tuple[dict[str, Fraction], ...]:
        """What each ballot's voter paid, per winner (explaining passes only)."""
        ids = self.prep.ids
        per_group = [{ids[p]: amount for p, amount in paid} for paid in self.payments]
        return tuple(per_group[g] for g in self.prep.group_of_ballot)

    def _buy_free(self, p: int) -> None:
        self.winners.append(p)
        if self.explain:
            self.rounds.append(
                Round(
                    number=len(self.rounds) + 1, project=self.prep.ids[p], cost=0, rho=Fraction(0),
                    max_payment=Fraction(0), effective_votes=Fraction(self.prep.votes[p]),
                    payers=self.prep.votes[p], exhausted=0, paid_by_exhausted=Fraction(0),
                )
            )  # fmt: skip

    def _certify_choice(
        self,
        best: _Evaluation,
        evaluated: list[_Evaluation],
        pruned: list[int],
        prev_a: list[int],
        prev_b: list[int],
        prev_d: list[int],
    ) -> None:
        """Bound the steps during which every other project stays behind the chosen one.

        Another project's rho at step t is at least the rho its poor/rich split at t=0 gives
        at t (any split gives a lower bound: rho = max over splits), so it is enough that this
        lower bound stays behind; its split itself may change.
        """
        key = self.prep.key
        challengers = [(e.project, e.rho_a, e.rho_b, e.rho_d) for e in evaluated if e is not best]
        # A pruned project's current rho is at least its last one, so that must stay behind.
        challengers += [(p, prev_a[p], prev_b[p], prev_d[p]) for p in pruned]
        for p, a, b, d in challengers:
            d0 = b * best.rho_d - best.rho_b * d
            slope = a * best.rho_d - best.rho_a * d
            if key[best.project] < key[p]:
                self._bound(_steps_until_negative(d0, slope))  # a tie still goes to best
            else:
                self._bound(_steps_until_nonpositive(d0, slope))

    def _record_drop(self, p: int, classes: dict[int, int], money_b: int, den: int) -> None:
        spent: dict[int, Fraction] = {}
        for g in self.prep.supporters[p]:
            w = self.prep.weight[g]
            for winner, amount in self.payments[g]:
                spent[winner] = spent.get(winner, Fraction(0)) + w * amount
        self.dropped[p] = (len(self.winners), Fraction(money_b, den), spent)

    def _record_round(
        self,
        best: _Evaluation,
        evaluated: list[_Evaluation],
        den: int,
        beta: list[int],
        group_class: list[int],
    ) -> None:
        prep = self.prep
        p = best.project
        max_payment = Fraction(prep.cost[p] * den - best.paid_b, best.rich * den)
        rho = Fraction(best.rho_b, best.rho_d)
        tied = [e.project for e in evaluated if e is not best and Fraction(e.rho_b, e.rho_d) == rho]
        tie_break = None
        if tied:
            # The criterion that had to be reached to separate best from its closest rival.
            depth = max(next(i for i in range(3) if prep.key[p][i] != prep.key[q][i]) for q in tied)
            tie_break = (TieBreak.COST, TieBreak.VOTES, TieBreak.ORDER)[depth]
        poor = set(best.poor)
        money = {c: Fraction(beta[c], den) for c in best.classes}
        for g in prep.supporters[p]:
            c = group_class[g]
            self.payments[g].append((p, money[c] if c in poor else max_payment))
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                project=prep.ids[p],
                cost=prep.cost[p],
                rho=rho,
                max_payment=max_payment,
                effective_votes=prep.cost[p] / max_payment,
                payers=best.rich,
                exhausted=prep.votes[p] - best.rich,
                paid_by_exhausted=Fraction(best.paid_b, den),
                tied_with=tuple(prep.ids[q] for q in sorted(tied, key=prep.key.__getitem__)),
                tie_break=tie_break,
            )
        )


def _better(
    challenger: _Evaluation, best: _Evaluation, key: tuple[tuple[int, int, int], ...]
) -> bool:
    left = challenger.rho_b * best.rho_d
    right = best.rho_b * challenger.rho_d
    return left < right or (left == right and key[challenger.project] < key[best.project])


def _verdicts(prep: _Prepared, final: _Pass) -> dict[str, Verdict]:
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
