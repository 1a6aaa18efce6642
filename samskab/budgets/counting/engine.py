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

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

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
    weight: tuple[int, ...]  # voters in each ballot group
    group_of_ballot: tuple[int, ...]
    voters: int
    # The supporters again as arrays, for counting them by money class with numpy: the group
    # indices, and their voters as float64 (whole numbers, so every sum of them below 2**53 is
    # exact: it is a count, not an approximation).
    supporter_index: tuple[Any, ...] = ()
    supporter_weight: tuple[Any, ...] = ()
    # the same weights as integers, for projects of at most _SMALL supporting groups
    supporter_votes: tuple[tuple[int, ...], ...] = ()


def prepare(
    election: Election, utility: Utility, tie_breaking: TieBreaking = TieBreaking.COST_VOTES
) -> Prepared:
    ids = tuple(election.costs)
    index = {p: i for i, p in enumerate(ids)}
    approvals, counts = election.approvals, election.ballot_counts()
    if len(set(approvals)) == len(approvals):  # each ballot once already (as files are read)
        ballots, weight = list(approvals), list(counts)
        group_of_ballot: tuple[int, ...] = tuple(range(len(ballots)))
    else:
        groups: dict[frozenset[str], int] = {}
        weight = []
        of_ballot = []
        for ballot, count in zip(approvals, counts, strict=True):
            g = groups.setdefault(ballot, len(groups))
            if g == len(weight):
                weight.append(0)
            weight[g] += count
            of_ballot.append(g)
        ballots, group_of_ballot = list(groups), tuple(of_ballot)
    voters = sum(weight)
    if voters >= 2**53:
        raise ValueError("Too many voters to count exactly.")
    # Every (project, ballot group) of an approval, then sorted by project (stably, so each
    # project's supporting groups stay in group order), with numpy.
    weights = np.array(weight, dtype=np.float64)  # whole numbers below 2**53: exact
    lengths = np.fromiter(map(len, ballots), np.int64, len(ballots))
    project_of = np.fromiter(
        map(index.__getitem__, itertools.chain.from_iterable(ballots)), np.int64, int(lengths.sum())
    )
    group_of = np.repeat(np.arange(len(ballots), dtype=np.int64), lengths)
    counted = weights[group_of] > 0  # a group of no voters supports nothing
    if not counted.all():
        project_of, group_of = project_of[counted], group_of[counted]
    per_project = np.bincount(project_of, minlength=len(ids))
    # (numpy sorts 16-bit keys stably by radix, several times faster)
    keys = project_of.astype(np.int16) if len(ids) <= 2**15 else project_of
    by_project = group_of[np.argsort(keys, kind="stable")]
    supporter_index = tuple(np.split(by_project, np.cumsum(per_project)[:-1])) if ids else ()
    # (sums of whole numbers below 2**53 in float64 are exact)
    votes = [int(v) for v in np.bincount(project_of, weights=weights[group_of], minlength=len(ids))]
    cost = tuple(election.costs[p] for p in ids)
    key, criteria = tie_breaking.keys(ids, cost, votes)
    return Prepared(
        ids=ids,
        cost=cost,
        votes=tuple(votes),
        util=cost if utility is Utility.COST else (1,) * len(ids),
        key=key,
        criteria=criteria,
        weight=tuple(weight),
        group_of_ballot=group_of_ballot,
        voters=voters,
        supporter_index=supporter_index,
        supporter_weight=tuple(weights[s] for s in supporter_index),
        # (only where a project is counted without numpy, see `_SMALL`)
        supporter_votes=tuple(
            tuple(weight[g] for g in s.tolist()) if len(s) <= _SMALL else ()
            for s in supporter_index
        ),
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


@dataclass(slots=True)
class _State:
    """Where a pass stands before a round: enough to go on from there at another step.

    Class c holds (alpha[c] * t + beta[c]) / dens[stamp[c]] per voter at step t; den =
    dens[now] is the latest denominator; class 0 is the voters with nothing left at any step.
    prev_* is the last rho computed for each project, (prev_a * t + prev_b) / prev_d: a lower
    bound of its rho from then on (money only goes down from round to round); `bounds` is the
    same at t = 0 as a float, only to order the scan. Each class's money (at t = 0) and its rise
    per step are also kept as floats, to screen projects with numpy.

    Money is affine in the step, so a state saved at one step serves any later step up to the
    first at which an earlier round might have chosen otherwise (`rebase`).
    """

    den: int
    dens: list[int]
    now: int
    alpha: list[int]
    beta: list[int]
    stamp: list[int]
    group_class: Any  # numpy array: each ballot group's money class
    prev_a: list[int]
    prev_b: list[int]
    prev_d: list[int]
    bounds: list[float]
    remaining: list[int]
    bought: int  # winners so far
    money_f: Any = None  # numpy float64 arrays, indexed by class
    slope_f: Any = None
    drift: int = 0  # float rebases since money_f was last set from the exact amounts

    def copy(self) -> _State:
        return _State(
            self.den, self.dens[:], self.now, self.alpha[:], self.beta[:], self.stamp[:],
            self.group_class.copy(), self.prev_a[:], self.prev_b[:], self.prev_d[:],
            self.bounds[:], self.remaining[:], self.bought,
            None if self.money_f is None else self.money_f.copy(),
            None if self.slope_f is None else self.slope_f.copy(), self.drift,
        )  # fmt: skip

    def rebase(self, steps: int) -> None:
        """Move step 0 to `steps`: every amount alpha*t + beta becomes alpha*(t + steps) + beta."""
        if not steps:
            return
        alpha, beta = self.alpha, self.beta
        for c, a in enumerate(alpha):
            if a:
                beta[c] += a * steps
        prev_a, prev_b, prev_d, bounds = self.prev_a, self.prev_b, self.prev_d, self.bounds
        for p in self.remaining:
            # (a float bound from screening held for its own step only: more money, lower rho)
            prev_b[p] += prev_a[p] * steps
            bounds[p] = prev_b[p] / prev_d[p]
        if self.money_f is not None:
            self.drift += 1
            if self.drift > _MAX_DRIFT:  # start again from the exact amounts
                self.drift = 0
                for c, (b, s) in enumerate(zip(beta, self.stamp, strict=True)):
                    self.money_f[c] = b / self.dens[s]
            else:
                self.money_f = self.money_f + self.slope_f * steps

    def add_classes(self, a: list[int], b: list[int]) -> int:
        """New classes holding (a[i] * t + b[i]) / den; the number of the first."""
        first, n = len(self.beta), len(b)
        self.alpha += a
        self.beta += b
        self.stamp += [self.now] * n
        if self.money_f is not None:
            if first + n > len(self.money_f):
                grow = np.zeros(max(first + n, 2 * len(self.money_f)) - len(self.money_f))
                self.money_f = np.concatenate((self.money_f, grow))
                self.slope_f = np.concatenate((self.slope_f, grow))
            den = self.den
            self.money_f[first : first + n] = [x / den for x in b]
            self.slope_f[first : first + n] = [x / den for x in a]
        return first


# Screening with floats. Every class's money as a float is within (2 * drift + 1) * 2**-53 of
# the exact amount, relatively (it is set by one correctly rounded division, and each rebase
# adds a nonnegative term); a sum of n nonnegative products of such values is within
# (n + 1) * 2**-53 more. Bounds below use twice that. A screened rho is confirmed by evaluating
# the supporters' money at either end of a narrow interval around it.
_MAX_DRIFT = 1000
_SMALL = 300  # ballot groups up to which a project is counted exactly without screening
_FEW_CLASSES = 100  # money classes under which `_exact` looks at every class (numpy costs more)
_NEAR = 1e-6  # how far above the float guess of the share a class may still be poor
_EPS = 2.0**-53
_WIDTH = 1e-9  # the relative width of a screened rho's interval


def _float_rho(
    cost: int, votes: int, util: int, w: Any, m: Any, drift: int
) -> tuple[float, float] | None:
    """An interval (low, high) certainly holding the exact rho of a project whose supporters,
    w[i] of them, hold m[i] each; (-inf, -inf) when they certainly cannot pay for it; None
    when floats cannot tell (then count it exactly)."""
    slack = 2 * ((2 * drift + 1) + (len(w) + 3)) * _EPS
    total = float(w @ m)
    if total < cost * (1 - slack):
        return -math.inf, -math.inf
    if total <= cost * (1 + slack):
        return None
    # Water-filling in floats, for a guess (it need not be right: it is checked below). The
    # share q starts as an equal split; whoever holds less than q pays all they have, and q
    # is split again among the rest, until nobody new is poor. q only rises, and it usually
    # settles in a few rounds of O(n) (cheaper than sorting); else sort.
    poor_w = poor_p = 0.0
    share = cost / votes
    for _ in range(_FIXED_POINT_ROUNDS):
        poor = m < share
        now_w = float(w @ poor)
        if now_w == poor_w:
            break
        poor_w, poor_p = now_w, float(w @ (m * poor))
        if votes - poor_w <= 0:
            return None
        share = (cost - poor_p) / (votes - poor_w)
    else:
        sorted_share = _sorted_share(cost, votes, w, m)
        if sorted_share is None:
            return None
        share = sorted_share
    if share <= 0:
        return None
    guess = share / util
    low, high = guess * (1 - _WIDTH), guess * (1 + _WIDTH)
    # What the supporters can pay at rho: sum of min(money, rho * utility); the exact rho is
    # the smallest at which that reaches the cost.
    if float(w @ np.minimum(m, low * util)) >= cost * (1 - slack):
        return None  # low might already be enough
    if float(w @ np.minimum(m, high * util)) <= cost * (1 + slack):
        return None  # high might not be enough yet
    return low, high


_FIXED_POINT_ROUNDS = 12


def _sorted_share(cost: int, votes: int, w: Any, m: Any) -> float | None:
    """Water-filling by sorting: the poorest pay all they have while that is less than an
    equal share of what is left; everyone from there on pays that share."""
    order = np.argsort(m, kind="stable")
    ms, ws = m[order], w[order]
    paid = ws * ms
    before_w = np.cumsum(ws) - ws
    before_p = np.cumsum(paid) - paid
    rich_then = votes - before_w
    stays = ms * rich_then >= cost - before_p
    k = int(np.argmax(stays))
    if not stays[k]:
        return None
    left = cost - float(before_p[k])
    if left <= 0:
        return None
    return left / float(rich_then[k])


def _float_affordable_after(cost: int, w: Any, m: Any, rise: Any, drift: int) -> int | None:
    """A step no later than the first at which supporters (w[i] of them, holding m[i] and
    gaining rise[i] a step) could pay `cost`, which they certainly cannot now (None: never)."""
    gain = float(w @ rise)
    if gain <= 0:
        return None
    slack = 2 * ((2 * drift + 1) + (len(w) + 3)) * _EPS
    total = float(w @ m)
    steps = (cost - total * (1 + slack)) / (gain * (1 + slack)) * (1 - 1e-9)
    return max(1, math.floor(steps))


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
    # certifying: the state before each round, and from which step on that round might choose
    # otherwise (None: never); `Stepper` resumes later passes from them
    # (None for a round that began once the pass's limit was 1: no later pass resumes there)
    checkpoints: list[_State | None] = field(default_factory=list)
    round_limits: list[int | None] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    # explaining: project -> (rounds bought before it was dropped, money behind it, and what
    # its supporters had paid for each winner by then)
    dropped: dict[int, tuple[int, Fraction, dict[int, Fraction]]] = field(default_factory=dict)
    # explaining: per round, the project bought, what each ballot group paid for it as a code
    # (0: nothing; otherwise an index into the round's amounts, numerators over the round's
    # denominator), the amounts, and that denominator
    paid: list[tuple[int, Any, list[int], int]] = field(default_factory=list)

    def _bound(self, steps: int | None) -> None:
        """Record that this round might choose otherwise from `steps` on.

        Once the pass's limit is 1, the next pass is at the next step and goes on from the
        first round whose limit is 1, at the latest: the limits of later rounds are never
        read, so they are all left at 1 and not worked out (see `Stepper.count`).
        """
        if self.limit == 1 and self.round_limits:
            self.round_limits[-1] = 1
            return
        if steps is not None and (self.limit is None or steps < self.limit):
            self.limit = steps
        if steps is not None and self.round_limits:
            last = self.round_limits[-1]
            if last is None or steps < last:
                self.round_limits[-1] = steps

    def run(self, resume: _State | None = None) -> Pass:
        """Count; or, with `resume` (a checkpoint of an earlier certifying pass, rebased to this
        pass's step, with `winners` already holding its winners), go on from there."""
        prep = self.prep
        cost, util, weight = prep.cost, prep.util, prep.weight
        certify, explain = self.certify, self.explain
        if resume is None:
            den = self.endowment.denominator
            votes = prep.votes
            prev_b = list(cost)
            prev_d = [v * u for v, u in zip(votes, util, strict=True)]
            st = _State(
                den=den, dens=[den], now=0,
                alpha=[0, self.increment * den if certify else 0],
                beta=[0, self.endowment.numerator],
                stamp=[0, 0],
                group_class=np.ones(len(weight), np.int64),
                prev_a=[0] * len(cost), prev_b=prev_b, prev_d=prev_d,
                bounds=[b / d if d else math.inf for b, d in zip(prev_b, prev_d, strict=True)],
                remaining=[], bought=0,
            )  # fmt: skip
            st.money_f = np.zeros(64)
            st.slope_f = np.zeros(64)
            st.money_f[1] = float(self.endowment)
            st.slope_f[1] = self.increment if certify else 0
            for p in range(len(cost)):
                if votes[p] and cost[p] == 0:
                    self._buy_free(p)
                elif votes[p]:
                    st.remaining.append(p)
        else:
            st = resume
        remaining, group_class = st.remaining, st.group_class
        index_of = prep.supporter_index

        while remaining:
            if certify:
                st.bought = len(self.winners)
                # Once the limit is 1, the next pass resumes at the latest from the round
                # that set it (see `_bound`): a copy of the state before a later round would
                # never be read, and copying it cost an eighth of a large count.
                self.checkpoints.append(st.copy() if self.limit != 1 else None)
                self.round_limits.append(1 if self.limit == 1 else None)
            remaining.sort(key=st.bounds.__getitem__)
            evaluated: list[_Evaluation] = []
            pruned: list[int] = []
            unaffordable: list[int] = []
            best = self._screen(remaining, st, evaluated, pruned, unaffordable)
            for p in unaffordable:
                remaining.remove(p)
            if best is None:
                break
            chosen = best.project
            alpha, beta = st.alpha, st.beta
            if certify:
                dropped: list[int] = []
                self._certify(best, evaluated, pruned, st, dropped)
                for p in dropped:
                    remaining.remove(p)
            remaining.remove(chosen)
            self.winners.append(chosen)
            if explain:
                self._record_round(best, evaluated, st.den, beta, group_class)
            # Each rich supporter pays q(t) = (cost - paid(t)) / rich, over den (the poor were
            # brought to den by `_exact`). Refine the unit so that q is a whole number of it.
            num_b = cost[chosen] * st.den - best.paid_b
            num_a = -best.paid_a
            common = math.gcd(best.rich, num_b, num_a)
            factor = best.rich // common
            if factor != 1:
                st.den *= factor
                st.dens.append(st.den)
                st.now += 1
            q_a, q_b = num_a // common, num_b // common
            # The poor are left with nothing (class 0); the supporters in each other class move
            # to a new class (its other members stay where they are, in whatever unit it is
            # kept: a class is brought to the current one when next looked at). The new class
            # holds what the old one held, in the current unit, less q.
            moved = dict.fromkeys(best.poor, 0)
            paying = [c for c in best.classes if c not in moved]
            stamp, dens, den = st.stamp, st.dens, st.den
            scales = {s: den // dens[s] for s in set(map(stamp.__getitem__, paying))}
            new_a: list[int] = []
            new_b: list[int] = []
            for c in paying:
                scale = scales[stamp[c]]
                if scale == 1:
                    new_a.append(alpha[c] - q_a)
                    new_b.append(beta[c] - q_b)
                else:
                    new_a.append(alpha[c] * scale - q_a)
                    new_b.append(beta[c] * scale - q_b)
            first = st.add_classes(new_a, new_b)
            moved.update(zip(paying, range(first, first + len(paying)), strict=True))
            move = np.arange(len(beta), dtype=np.int64)
            move[np.fromiter(moved, np.int64, len(moved))] = np.fromiter(
                moved.values(), np.int64, len(moved)
            )
            chosen_groups = index_of[chosen]
            group_class[chosen_groups] = move[group_class[chosen_groups]]
        return self

    def _exact(
        self, p: int, classes: dict[int, int], st: _State, unaffordable: list[int]
    ) -> _Evaluation | None:
        """Project p's rho, exactly, from its supporters by money class; None (and p added to
        `unaffordable`) when they cannot pay for it."""
        prep = self.prep
        alpha, beta, stamp, dens, den, now = st.alpha, st.beta, st.stamp, st.dens, st.den, st.now
        cost_den = prep.cost[p] * den
        if len(classes) >= _FEW_CLASSES and st.money_f is not None:
            evaluation = self._exact_near_the_share(p, classes, st, cost_den)
            if evaluation is not None:
                return evaluation
        money_b = 0
        factors: dict[int, int] = {}  # unit -> how many current units it is (one division)
        for c, w in classes.items():
            if (s := stamp[c]) != now:
                if (factor := factors.get(s, 0)) == 0:
                    factor = factors[s] = den // dens[s]
                alpha[c] *= factor
                beta[c] *= factor
                stamp[c] = now
            money_b += w * beta[c]
        if money_b < cost_den:
            unaffordable.append(p)
            if self.certify and self.limit != 1:
                money_a = sum(w * alpha[c] for c, w in classes.items())
                if money_a:  # it becomes affordable where money_a*t >= cost - money_b
                    self._bound(-((money_b - cost_den) // money_a))
            if self.explain:
                self._record_drop(p, money_b, den)
            return None
        # Water-filling: the poorest pay all they have while that is less than an equal share
        # of what is left to pay; everyone from there on pays the same share.
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
            -paid_a, cost_den - paid_b, rich * prep.util[p] * den,
        )  # fmt: skip
        st.prev_a[p], st.prev_b[p], st.prev_d[p] = -paid_a, cost_den - paid_b, evaluation.rho_d
        st.bounds[p] = st.prev_b[p] / st.prev_d[p]
        return evaluation

    def _exact_near_the_share(
        self, p: int, classes: dict[int, int], st: _State, cost_den: int
    ) -> _Evaluation | None:
        """`_exact`'s evaluation, looking exactly only at the classes whose money is near the
        equal share or below it; None when floats cannot vouch for the rest (then `_exact`
        counts every class).

        Water-filling has one answer: the share s at which the supporters holding less than s
        pay all they have and the others s each, and the poor are exactly those below s. So
        a float guess picks the classes that may be poor (at or below the guess, with a
        margin); those are brought to the current unit and scanned exactly, poorest first,
        as `_exact` does; then the exact s that gives is checked against every class left
        out, in floats within their error bound (see `_float_rho`): each must hold at least s.
        Whether the supporters can pay at all must be as certain in floats. Classes left out
        stay in an older unit until the project is bought (`run` brings them up to date).
        """
        prep = self.prep
        cost, votes = prep.cost[p], prep.votes[p]
        index = np.fromiter(classes, np.int64, len(classes))
        w = np.fromiter(classes.values(), np.float64, len(classes))
        m = st.money_f[index]
        error = (2 * st.drift + 1) * _EPS  # of each class's float money, relatively
        slack = 2 * ((2 * st.drift + 1) + (len(w) + 3)) * _EPS
        if float(w @ m) < cost * (1 + slack):
            return None  # they may not be able to pay for it
        share = cost / votes
        poor_w = 0.0
        for _ in range(_FIXED_POINT_ROUNDS):
            below = m < share
            now_w = float(w @ below)
            if now_w == poor_w:
                break
            poor_w = now_w
            if votes - poor_w <= 0:
                return None
            share = (cost - float(w @ (m * below))) / (votes - poor_w)
        else:
            return None
        near = m <= share * (1 + _NEAR)
        alpha, beta, stamp, dens, den, now = st.alpha, st.beta, st.stamp, st.dens, st.den, st.now
        maybe_poor = index[near].tolist()
        factors: dict[int, int] = {}  # unit -> how many current units it is (one division)
        for c in maybe_poor:
            if (s := stamp[c]) != now:
                if (factor := factors.get(s, 0)) == 0:
                    factor = factors[s] = den // dens[s]
                alpha[c] *= factor
                beta[c] *= factor
                stamp[c] = now
        rich = votes
        paid_a = paid_b = 0
        poor = []
        for c in sorted(maybe_poor, key=beta.__getitem__):
            if beta[c] * rich >= cost_den - paid_b:
                break
            v = classes[c]
            poor.append(c)
            paid_a += v * alpha[c]
            paid_b += v * beta[c]
            rich -= v
        if rich <= 0:
            return None
        if not near.all():
            exact_share = (cost_den - paid_b) / (rich * den)  # correctly rounded
            if float(m[~near].min()) * (1 - 4 * error) < exact_share * (1 + 4 * _EPS):
                return None  # a class left out might be below the share
        evaluation = _Evaluation(
            p, classes, poor, rich, paid_a, paid_b,
            -paid_a, cost_den - paid_b, rich * prep.util[p] * den,
        )  # fmt: skip
        st.prev_a[p], st.prev_b[p], st.prev_d[p] = -paid_a, cost_den - paid_b, evaluation.rho_d
        st.bounds[p] = st.prev_b[p] / st.prev_d[p]
        return evaluation

    def _screen(
        self,
        remaining: list[int],
        st: _State,
        evaluated: list[_Evaluation],
        pruned: list[int],
        unaffordable: list[int],
    ) -> _Evaluation | None:
        """The round's best project, found with floats and confirmed exactly.

        Each project's rho is first computed in floats with numpy, with an interval that
        certainly holds the exact rho (see `_float_rho`). Only the projects whose interval
        reaches below the best upper end are counted exactly, and the best of those wins; a
        project whose float affordability is too close to call is counted exactly too. The
        others are certified on their last exact lower bound, as pruned projects are.

        A project with few supporting ballot groups is counted exactly straight away: numpy's
        overhead per call is more than the count.
        """
        prep = self.prep
        key, votes_of = prep.key, prep.supporter_votes
        bounds = st.bounds
        index_of, weight_of = prep.supporter_index, prep.supporter_weight
        money, slope = st.money_f, st.slope_f
        best_high = math.inf
        screened: list[tuple[float, int, dict[int, int]]] = []  # (low end, project, classes)
        explain = self.explain
        best: _Evaluation | None = None
        for index, p in enumerate(remaining):
            # (an explaining pass looks at every project, to say in which round each was
            # dropped)
            if not explain:
                if bounds[p] > best_high * _FLOAT_MARGIN:
                    pruned += remaining[index:]  # these lower bounds and all later ones lose
                    break
                if best is not None and st.prev_b[p] * best.rho_d > best.rho_b * st.prev_d[p]:
                    pruned.append(p)  # even its exact lower bound is worse than the best
                    continue
            if len(index_of[p]) <= _SMALL:
                classes: dict[int, int] = {}
                for c, v in zip(st.group_class[index_of[p]].tolist(), votes_of[p], strict=True):
                    classes[c] = classes.get(c, 0) + v
                evaluation = self._exact(p, classes, st, unaffordable)
                if evaluation is not None:
                    evaluated.append(evaluation)
                    if best is None or _better(evaluation, best, key):
                        best = evaluation
                    # at least the exact rho (a correctly rounded quotient, then a margin)
                    best_high = min(best_high, evaluation.rho_b / evaluation.rho_d * _FLOAT_MARGIN)
                continue
            # Floats per money class when there are fewer classes than supporting ballot
            # groups (counting by class costs a pass over every class there is); else per
            # ballot group, each holding its class's money.
            index = index_of[p]
            if len(st.beta) < len(index):
                counts = np.bincount(st.group_class[index], weights=weight_of[p])
                of_group = np.flatnonzero(counts)
                w = counts[of_group]
            else:
                of_group = st.group_class[index]
                w = weight_of[p]
            interval = _float_rho(
                prep.cost[p], prep.votes[p], prep.util[p], w, money[of_group], st.drift
            )
            if interval is None:  # too close to call: count it exactly
                screened.append((-math.inf, p, self._classes(p, st)))
                continue
            low, high = interval
            if high == -math.inf and explain:  # count it exactly, to explain the drop
                self._exact(p, self._classes(p, st), st, unaffordable)
                continue
            if high == -math.inf:  # certainly unaffordable
                unaffordable.append(p)
                if self.certify and self.limit != 1:
                    self._bound(
                        _float_affordable_after(
                            prep.cost[p], w, money[of_group], slope[of_group], st.drift
                        )
                    )
                continue
            bounds[p] = max(bounds[p], low)
            if high < best_high:
                best_high = high
            screened.append((low, p, {}))
        for low, p, classes in screened:
            if low > best_high:
                pruned.append(p)  # its exact rho is above some other project's
                continue
            if not classes:
                classes = self._classes(p, st)
            evaluation = self._exact(p, classes, st, unaffordable)
            if evaluation is None:
                continue
            evaluated.append(evaluation)
            if best is None or _better(evaluation, best, key):
                best = evaluation
        return best

    def _classes(self, p: int, st: _State) -> dict[int, int]:
        """Project p's supporters by money class: class -> voters."""
        prep = self.prep
        index = prep.supporter_index[p]
        if len(index) <= _SMALL:
            classes: dict[int, int] = {}
            for c, v in zip(st.group_class[index].tolist(), prep.supporter_votes[p], strict=True):
                classes[c] = classes.get(c, 0) + v
            return classes
        counts = np.bincount(st.group_class[index], weights=prep.supporter_weight[p])
        present = np.flatnonzero(counts)
        return dict(zip(present.tolist(), counts[present].astype(np.int64).tolist(), strict=True))

    def spending(self) -> tuple[dict[str, Fraction], ...]:
        """What each ballot's voter paid, per winner (explaining passes only); identical
        ballots, and ballots that paid the same, share one mapping.

        Each ballot group's payments are gathered from the supporters of each round's winner
        only (a group pays in the few rounds whose winner it approves), then the groups are
        keyed by what they paid, round by round.
        """
        ids, prep = self.prep.ids, self.prep
        nothing: dict[str, Fraction] = {}
        if not self.paid:
            return tuple(nothing for _ in prep.group_of_ballot)
        payments: list[list[tuple[int, int]]] = [[] for _ in prep.weight]
        amounts: list[list[Fraction]] = []
        for r, (p, code, numerators, den) in enumerate(self.paid):
            amounts.append([Fraction(n, den) for n in numerators])
            index = prep.supporter_index[p]
            codes = code[index]
            paying = np.flatnonzero(codes)
            for g, c in zip(index[paying].tolist(), codes[paying].tolist(), strict=True):
                payments[g].append((r, c))
        winners = [p for p, _code, _n, _d in self.paid]
        patterns: dict[tuple[tuple[int, int], ...], dict[str, Fraction]] = {(): nothing}
        of_group = []
        for paid in payments:
            pattern = tuple(paid)
            mapping = patterns.get(pattern)
            if mapping is None:
                mapping = {ids[winners[r]]: amounts[r][c] for r, c in pattern}
                patterns[pattern] = mapping
            of_group.append(mapping)
        return tuple(of_group[g] for g in prep.group_of_ballot)

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
        st: _State,
        dropped: list[int],
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
        if self.limit == 1:
            return  # see `_bound`: nothing this round could find matters any more
        prev_a, prev_b, prev_d, alpha, beta = st.prev_a, st.prev_b, st.prev_d, st.alpha, st.beta
        cost_den = self.prep.cost[best.project] * st.den
        for c in best.poor:
            self._bound(
                _steps_until_negative(
                    cost_den - best.paid_b - best.rich * beta[c],
                    -best.paid_a - best.rich * alpha[c],
                )
            )
        key = self.prep.key
        challengers = [(e.project, e.rho_a, e.rho_b, e.rho_d) for e in evaluated if e is not best]
        for p in pruned:
            # A project passed over on a float interval may have an exact lower bound (from an
            # earlier round) that does not separate it from best: count it exactly now (its
            # rho is above best's, or it can no longer be paid for: then it is dropped).
            d0 = prev_b[p] * best.rho_d - best.rho_b * prev_d[p]
            separated = d0 > 0 or (d0 == 0 and key[best.project] < key[p])
            if not separated and self._exact(p, self._classes(p, st), st, dropped) is None:
                continue
            challengers.append((p, prev_a[p], prev_b[p], prev_d[p]))
        for p, a, b, d in challengers:
            d0 = b * best.rho_d - best.rho_b * d
            slope = a * best.rho_d - best.rho_a * d
            if d0 < 0 or (d0 == 0 and key[p] < key[best.project]):
                self._bound(1)  # cannot happen (see above); if it did, prove nothing
                continue
            if key[best.project] < key[p]:
                self._bound(_steps_until_negative(d0, slope))  # a tie still goes to best
            else:
                self._bound(_steps_until_nonpositive(d0, slope))

    def _record_drop(self, p: int, money_b: int, den: int) -> None:
        # The supporters are counted by what they paid in each round (a handful of distinct
        # amounts a round), and each round's total is one exact sum of integers.
        index, weight = self.prep.supporter_index[p], self.prep.supporter_weight[p]
        spent: dict[int, Fraction] = {}
        for winner, code, numerators, round_den in self.paid:
            counts = np.bincount(code[index], weights=weight)
            present = np.flatnonzero(counts).tolist()
            if present and present[0] == 0:
                present = present[1:]
            if present:
                total = sum(int(counts[k]) * numerators[k] for k in present)
                spent[winner] = Fraction(total, round_den)
        self.dropped[p] = (len(self.winners), Fraction(money_b, den), spent)

    def _record_round(
        self,
        best: _Evaluation,
        evaluated: list[_Evaluation],
        den: int,
        beta: list[int],
        group_class: Any,
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
        # Over the round's denominator rich * den: the rich pay cost * den - paid, the poor
        # all they have.
        numerators = [0, prep.cost[p] * den - best.paid_b]
        table = np.zeros(len(beta), dtype=np.int32)
        for c in best.classes:
            table[c] = 1
        for c in best.poor:
            if beta[c]:
                table[c] = len(numerators)
                numerators.append(beta[c] * best.rich)
            else:
                table[c] = 0
        code = np.zeros(len(prep.weight), dtype=np.int32)
        index = prep.supporter_index[p]
        code[index] = table[group_class[index]]
        self.paid.append((p, code, numerators, best.rich * den))
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


class Stepper:
    """Add1's passes, each going on from the first round that may come out otherwise.

    Every pass certifies, round by round, up to which step that round's choice holds. The pass
    at a later step repeats the rounds that still hold by taking the state saved before the
    first one that may not (money is affine in the step, so a saved state is rebased, not
    recounted) and counts only from there. Where consecutive outcomes differ only in their
    last rounds, a pass costs those rounds.
    """

    def __init__(self, prep: Prepared, start: Fraction, increment: int) -> None:
        self.prep = prep
        self.start = start
        self.increment = increment
        self.winners: list[int] = []
        self.passes = 0
        self.checkpoints: list[_State | None] = []
        self.bases: list[int] = []  # the step each checkpoint was saved at
        self.round_limits: list[int | None] = []  # the step from which each round may differ

    @property
    def limit(self) -> int | None:
        """The first step at which the outcome may differ from the last count (None: never)."""
        return min((s for s in self.round_limits if s is not None), default=None)

    def count(self, step: int) -> list[int]:
        """The winners with the endowment `start + step * increment`; steps only go up."""
        endowment = self.start + step * self.increment
        keep = 0
        resume = None
        if self.passes:
            keep = next(
                (r for r, s in enumerate(self.round_limits) if s is not None and s <= step),
                len(self.round_limits),
            )
            if keep == len(self.round_limits):
                return self.winners  # no round can have come out otherwise
            resume = self.checkpoints[keep]  # replaced by the pass's own copy of it
            if resume is None:  # (cannot happen: see `Pass.checkpoints`)
                raise RuntimeError("Add1 would resume from a round it did not keep.")
            resume.rebase(step - self.bases[keep])
        current = Pass(
            self.prep,
            endowment,
            self.increment,
            certify=True,
            winners=self.winners[: resume.bought] if resume else [],
        ).run(resume)
        self.passes += 1
        self.checkpoints[keep:] = current.checkpoints
        self.bases[keep:] = [step] * len(current.checkpoints)
        self.round_limits[keep:] = [None if s is None else step + s for s in current.round_limits]
        self.winners = current.winners
        return self.winners
