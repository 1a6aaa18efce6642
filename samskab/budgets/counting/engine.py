"""The exact engine behind the Method of Equal Shares: one pass at one endowment.

Exactness without `Fraction` in the hot loop: all money is integers over a common denominator
that grows (by whole factors) only when a payment would not be a whole number of the current
unit. Voters are grouped twice: identical ballots are one group, and groups that have paid alike
so far form one money class (everyone with nothing left is class 0), so a project's supporters
are a handful of classes, not thousands of voters. A class is brought to the current
denominator only when it is next looked at.

Add1 needs a pass per endowment; a pass can also certify how far it holds. Money is kept as an
affine function of the endowment step t (alpha*t + beta), so every comparison the pass makes is
between affine functions and it can say from which step on one of them could come out
otherwise. Up to there every pass would make the same choices, and Add1 skips straight to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from samskab.budgets.counting.election import Election, Round, TieBreak, TieBreaking, Utility

# A float quotient of two integers is within 2**-53 of the truth: floats may order the scan of
# candidates and end it where they are further apart than this; every decision is exact.
_FLOAT_MARGIN = 1 + 2**-40


@dataclass(frozen=True, slots=True)
class Prepared:
    """An election in the shape the engine wants (projects by index, ballots grouped)."""

    ids: tuple[str, ...]
    cost: tuple[int, ...]
    votes: tuple[int, ...]
    util: tuple[int, ...]  # what the project is worth to each of its supporters
    key: tuple[tuple[int, ...], ...]  # tie-break order, smaller first (see TieBreaking.keys)
    criteria: tuple[TieBreak, ...]  # what each position of a key compares
    supporters: tuple[tuple[int, ...], ...]  # ballot groups approving each project
    approves: tuple[tuple[int, ...], ...]  # the projects each ballot group approves
    weight: tuple[int, ...]  # voters in each ballot group
    group_of_ballot: tuple[int, ...]
    voters: int


def prepare(
    election: Election, utility: Utility, tie_breaking: TieBreaking = TieBreaking.COST_VOTES
) -> Prepared:
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
    approves: list[tuple[int, ...]] = [()] * len(weight)
    votes = [0] * len(ids)
    for ballot, g in groups.items():
        if weight[g]:
            for project in ballot:
                supporters[index[project]].append(g)
                votes[index[project]] += weight[g]
            approves[g] = tuple(index[project] for project in ballot)
    cost = tuple(election.costs[p] for p in ids)
    key, criteria = tie_breaking.keys(ids, cost, votes)
    return Prepared(
        ids=ids,
        cost=cost,
        votes=tuple(votes),
        util=cost if utility is Utility.COST else (1,) * len(ids),
        key=key,
        criteria=criteria,
        supporters=tuple(tuple(s) for s in supporters),
        approves=tuple(approves),
        weight=tuple(weight),
        group_of_ballot=tuple(group_of_ballot),
        voters=sum(weight),
    )


@dataclass(slots=True)
class _Evaluation:
    project: int
    classes: dict[int, int]  # money class -> voters among the supporters
    poor: list[int]  # classes that pay all they have
    rich: int  # supporters paying the full share
    paid_a: int  # what the poor pay, alpha*t + beta over the common denominator
    paid_b: int
    # rho(t) = (rho_a * t + rho_b) / rho_d, in currency per unit of utility
    rho_a: int
    rho_b: int
    rho_d: int


def _steps_until_negative(d0: int, slope: int) -> int | None:
    """First t >= 1 with d0 + slope*t < 0, given d0 >= 0; None if never."""
    return None if slope >= 0 else d0 // -slope + 1


def _steps_until_nonpositive(d0: int, slope: int) -> int | None:
    """First t >= 1 with d0 + slope*t <= 0, given d0 > 0; None if never."""
    return None if slope >= 0 else -(-d0 // -slope)


@dataclass(slots=True)
class Pass:
    """One run of MES with `endowment` per voter.

    With `certify`, also `limit`: the first step t >= 1 at which a pass with endowment
    `endowment + t * increment` might choose differently (None: never). With `explain`, also
    the rounds, why each other project was dropped, and what every ballot paid.
    """

    prep: Prepared
    endowment: Fraction
    increment: int = 0
    certify: bool = False
    explain: bool = False
    winners: list[int] = field(default_factory=list)
    limit: int | None = None
    rounds: list[Round] = field(default_factory=list)
    # explaining: project -> (rounds bought before it was dropped, money behind it, and what
    # its supporters had paid for each winner by then)
    dropped: dict[int, tuple[int, Fraction, dict[int, Fraction]]] = field(default_factory=dict)
    payments: list[list[tuple[int, Fraction]]] = field(default_factory=list)  # per ballot group

    def _bound(self, steps: int | None) -> None:
        if steps is not None and (self.limit is None or steps < self.limit):
            self.limit = steps

    def run(self) -> Pass:
        prep = self.prep
        cost, util, key, supporters, weight = (
            prep.cost,
            prep.util,
            prep.key,
            prep.supporters,
            prep.weight,
        )
        certify, explain = self.certify, self.explain
        # Class c holds (alpha[c] * t + beta[c]) / dens[stamp[c]] per voter; den = dens[now] is
        # the latest denominator. Class 0 is the voters with nothing left at any step.
        den = self.endowment.denominator
        dens = [den]
        now = 0
        alpha = [0, self.increment * den if certify else 0]
        beta = [0, self.endowment.numerator]
        stamp = [0, 0]
        group_class = [1] * len(weight)
        if explain:
            self.payments = [[] for _ in weight]
        # The last rho computed for each project, a lower bound of its rho from then on (money
        # only goes down from round to round). It starts at the all-supporters-pay-equally rho.
        prev_a = [0] * len(cost)
        prev_b = list(cost)
        prev_d = [v * u for v, u in zip(prep.votes, util, strict=True)]
        # The same as floats, only to order the scan: the outcome does not depend on the order
        # (a project is passed over only when its exact lower bound is worse than a real rho).
        bounds = [b / d if d else math.inf for b, d in zip(prev_b, prev_d, strict=True)]
        # An explaining pass looks at every project every round (to say when each was dropped):
        # it keeps each project's supporters by money class (all start in class 1) up to date
        # as voters pay. Other passes look at a few projects a round and count them afresh.
        by_class = [{1: v} if v else {} for v in prep.votes] if explain else []
        approves = prep.approves
        remaining = []
        for p in range(len(cost)):
            if prep.votes[p] and cost[p] == 0:
                self._buy_free(p)
            elif prep.votes[p]:
                remaining.append(p)

        while remaining:
            remaining.sort(key=bounds.__getitem__)
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
                if explain:
                    classes = by_class[p]
                else:
                    classes = {}
                    for g in supporters[p]:
                        c = group_class[g]
                        classes[c] = classes.get(c, 0) + weight[g]
                cost_den = cost[p] * den
                money_b = 0
                for c, w in classes.items():
                    if stamp[c] != now:
                        factor = den // dens[stamp[c]]
                        alpha[c] *= factor
                        beta[c] *= factor
                        stamp[c] = now
                    money_b += w * beta[c]
                if money_b < cost_den:
                    unaffordable.append(p)
                    if certify:
                        money_a = sum(w * alpha[c] for c, w in classes.items())
                        if money_a:  # it becomes affordable where money_a*t >= cost - money_b
                            self._bound(-((money_b - cost_den) // money_a))
                    if explain:
                        self._record_drop(p, money_b, den)
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
                prev_a[p], prev_b[p], prev_d[p] = -paid_a, cost_den - paid_b, evaluation.rho_d
                bounds[p] = prev_b[p] / prev_d[p]
                evaluated.append(evaluation)
                if best is None or _better(evaluation, best, key):
                    best = evaluation
                    best_float = bounds[p]
            for p in unaffordable:
                remaining.remove(p)
            if best is None:
                break
            chosen = best.project
            if certify:
                self._certify(best, evaluated, pruned, prev_a, prev_b, prev_d, alpha, beta, den)
            remaining.remove(chosen)
            self.winners.append(chosen)
            if explain:
                self._record_round(best, evaluated, den, beta, group_class)
            # Each rich supporter pays q(t) = (cost - paid(t)) / rich, over den. Refine the
            # unit so that q is a whole number of it.
            num_b = cost[chosen] * den - best.paid_b
            num_a = -best.paid_a
            common = math.gcd(best.rich, num_b, num_a)
            factor = best.rich // common
            if factor != 1:
                den *= factor
                dens.append(den)
                now += 1
                for c in best.classes:
                    alpha[c] *= factor
                    beta[c] *= factor
                    stamp[c] = now
            q_a, q_b = num_a // common, num_b // common
            # The poor are left with nothing (class 0); the supporters in each other class move
            # to a new class (its other members stay where they are).
            moved = dict.fromkeys(best.poor, 0)
            for c in best.classes:
                if c not in moved:
                    moved[c] = len(beta)
                    alpha.append(alpha[c] - q_a)
                    beta.append(beta[c] - q_b)
                    stamp.append(now)
            if not explain:
                for g in supporters[chosen]:
                    group_class[g] = moved[group_class[g]]
                continue
            for g in supporters[chosen]:
                old = group_class[g]
                new = moved[old]
                group_class[g] = new
                w = weight[g]
                for q in approves[g]:
                    counts = by_class[q]
                    left = counts[old] - w
                    if left:
                        counts[old] = left
                    else:
                        del counts[old]
                    counts[new] = counts.get(new, 0) + w
        return self

    def spending(self) -> tuple[dict[str, Fraction], ...]:
        """What each ballot's voter paid, per winner (explaining passes only); identical
        ballots share one mapping."""
        ids = self.prep.ids
        # Groups that paid the same (shared) amounts share one mapping.
        made: dict[tuple[tuple[int, int], ...], dict[str, Fraction]] = {}
        per_group = []
        for paid in self.payments:
            key = tuple((p, id(amount)) for p, amount in paid)
            mapping = made.get(key)
            if mapping is None:
                mapping = made[key] = {ids[p]: amount for p, amount in paid}
            per_group.append(mapping)
        return tuple(per_group[g] for g in self.prep.group_of_ballot)

    def _buy_free(self, p: int) -> None:
        self.winners.append(p)
        if self.explain:
            votes = self.prep.votes[p]
            self.rounds.append(
                Round(
                    number=len(self.rounds) + 1, project=self.prep.ids[p], cost=0, rho=Fraction(0),
                    max_payment=Fraction(0), effective_votes=Fraction(votes), payers=votes,
                    exhausted=0, paid_by_exhausted=Fraction(0),
                )
            )  # fmt: skip

    def _certify(
        self,
        best: _Evaluation,
        evaluated: list[_Evaluation],
        pruned: list[int],
        prev_a: list[int],
        prev_b: list[int],
        prev_d: list[int],
        alpha: list[int],
        beta: list[int],
        den: int,
    ) -> None:
        """Bound the steps during which this round would end the same way.

        The chosen project's poor must stay poor (rich * money(c, t) <= cost - paid(t)), or its
        payments would follow another formula; its rich stay rich by themselves (their money
        rises with t, the equal share falls). Every other project must stay behind it. Another
        project's rho at step t is at least what its poor/rich split of t=0 gives at t (any
        split gives a lower bound: rho is the largest of them), so it is enough that this lower
        bound stays behind; the split itself may change. A project passed over on its previous
        lower bound is handled the same way: its rho now is at least that.
        """
        cost_den = self.prep.cost[best.project] * den
        for c in best.poor:
            self._bound(
                _steps_until_negative(
                    cost_den - best.paid_b - best.rich * beta[c],
                    -best.paid_a - best.rich * alpha[c],
                )
            )
        key = self.prep.key
        challengers = [(e.project, e.rho_a, e.rho_b, e.rho_d) for e in evaluated if e is not best]
        challengers += [(p, prev_a[p], prev_b[p], prev_d[p]) for p in pruned]
        for p, a, b, d in challengers:
            d0 = b * best.rho_d - best.rho_b * d
            slope = a * best.rho_d - best.rho_a * d
            if key[best.project] < key[p]:
                self._bound(_steps_until_negative(d0, slope))  # a tie still goes to best
            else:
                self._bound(_steps_until_nonpositive(d0, slope))

    def _record_drop(self, p: int, money_b: int, den: int) -> None:
        # Payments are shared objects (one per round and class), so voters are added up per
        # object with integers and each amount multiplied once: Fraction arithmetic per voter
        # group made this the slowest part of an explaining pass.
        weight, payments = self.prep.weight, self.payments
        voters: dict[tuple[int, int], int] = {}
        amounts: dict[int, Fraction] = {}
        for g in self.prep.supporters[p]:
            w = weight[g]
            for winner, amount in payments[g]:
                key = (winner, id(amount))
                if key in voters:
                    voters[key] += w
                else:
                    voters[key] = w
                    amounts[id(amount)] = amount
        spent: dict[int, Fraction] = {}
        for (winner, ref), w in voters.items():
            spent[winner] = spent.get(winner, Fraction(0)) + w * amounts[ref]
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
        tied = [
            e.project
            for e in evaluated
            if e is not best and e.rho_b * best.rho_d == best.rho_b * e.rho_d
        ]
        tie_break = None
        if tied:
            # The criterion that had to be reached to separate best from its closest rival.
            depth = max(
                next(i for i in range(len(prep.criteria)) if prep.key[p][i] != prep.key[q][i])
                for q in tied
            )
            tie_break = prep.criteria[depth]
        poor = set(best.poor)
        money = {c: Fraction(beta[c], den) for c in best.poor}
        for g in prep.supporters[p]:
            c = group_class[g]
            amount = money[c] if c in poor else max_payment
            if amount:
                self.payments[g].append((p, amount))
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


def _better(challenger: _Evaluation, best: _Evaluation, key: tuple[tuple[int, ...], ...]) -> bool:
    left = challenger.rho_b * best.rho_d
    right = best.rho_b * challenger.rho_d
    return left < right or (left == right and key[challenger.project] < key[best.project])
