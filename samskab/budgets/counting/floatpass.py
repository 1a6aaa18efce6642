"""One pass of the Method of Equal Shares in floats, every decision certified, for large counts.

The exact engine (`engine.Pass`) keeps every voter's money as an exact rational over a common
denominator that grows round by round; at 200 projects x 200,000 voters that is thousands of
bits per money class, and Add1 needs a pass per step. This pass keeps each ballot group's
money as a float64 together with a bound on how far it may be from the exact amount, and makes
every decision of the pass only where that bound proves the exact count would make it too:

- a project whose supporters' money is within the error of its cost, a supporter whose money
  is within the error of the project's payment (rich or poor?), or two projects whose prices
  per unit of utility cannot be told apart, end the pass with `None`; the caller then counts
  that endowment with the exact engine. Nothing is ever guessed.
- Exact ties are common where every supporter can pay the equal share: the price is then
  exactly cost / (supporters * utility), and such prices are compared as fractions, ties
  going to the tie-break key as in the exact engine.

Why the bound holds. Let M be a group's exact money and m its float, |m - M| <= e. A round buys
the project whose exact price is lowest and its supporters end with max(M - Q, 0), where Q is
the payment of a supporter who can pay it all. The pass knows an interval [lo, hi] holding Q
and pays q in it, so max(m - q, 0) is within e + (hi - lo) + one rounding of the exact new
money (max(x, 0) moves no further than x does). A supporter certainly poor (m + e < lo) pays
everything and holds exactly 0. Sums are numpy dot products of nonnegative terms, whose error
is below n * 2**-53 of the sum; twice that is allowed.

Winners come out in the order the exact engine buys them (free projects first), so
`engine.Pass(...).run().winners` and `fast_pass(...)` are the same list wherever the latter is
not None (tests compare them on random and real elections).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

import numpy as np

from samskab.budgets.counting.engine import Prepared

_EPS = 2.0**-53
_FIXED_POINT_ROUNDS = 30
_UP = 1 + 4 * _EPS  # an error bound computed with rounding, made safe

# A pass of the exact engine costs little below this many supporting ballot groups in all;
# numpy's overhead per call is then more than the count (see `worthwhile`).
MIN_SUPPORT = 50_000


def worthwhile(prep: Prepared) -> bool:
    """Whether counting `prep` by float passes first is likely to pay off."""
    return sum(len(s) for s in prep.supporter_index) >= MIN_SUPPORT


class _Uncertain(Exception):
    """Floats cannot decide: count this pass exactly."""


class _Evaluation:
    __slots__ = ("exact", "high", "low", "poor", "project", "q", "q_error")

    def __init__(
        self,
        project: int,
        low: float,
        high: float,
        exact: Fraction | None,
        q: float,
        q_error: float,
        poor: Any,
    ) -> None:
        self.project = project
        self.low = low  # certainly at most the exact price per unit of utility (rho)
        self.high = high  # certainly at least it
        self.exact = exact  # the exact rho, when every supporter pays the equal share
        self.q = q  # the payment of a supporter who can pay it all, within q_error
        self.q_error = q_error
        self.poor = poor  # boolean mask over the supporters: those who pay all they have


class FloatPasses:
    """Float passes over one prepared election (the layout is made once for every pass).

    Every supporting (project, ballot group) pair has its own row, the rows of a project side
    by side, so that a project's supporters are a slice, not a gather from scattered groups;
    buying a project writes its supporters' new money into every row of theirs.
    """

    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        index = prep.supporter_index
        sizes = np.fromiter(map(len, index), np.int64, len(index))
        self.start = np.concatenate(([0], np.cumsum(sizes))).tolist()
        groups = np.concatenate(index) if index else np.zeros(0, np.int64)
        # each group's rows, in group order
        self.rows_by_group = np.argsort(groups, kind="stable")
        counts = np.bincount(groups, minlength=len(prep.weight))
        self.group_rows = counts
        self.group_first = np.concatenate(([0], np.cumsum(counts)))
        self.rows = len(groups)
        self._written: dict[int, tuple[Any, Any]] = {}

    def written(self, p: int) -> tuple[Any, Any]:
        """The rows of every group supporting p (grouped, in p's order), and how many each."""
        found = self._written.get(p)
        if found is None:
            index = self.prep.supporter_index[p]
            first, many = self.group_first[index], self.group_rows[index]
            ends = np.cumsum(many)
            offset = np.repeat(first - (ends - many), many)
            rows = self.rows_by_group[offset + np.arange(int(ends[-1]) if len(ends) else 0)]
            found = self._written[p] = (rows, many)
        return found

    def count(self, endowment: Fraction, give_up: float | None = None) -> list[int] | None:
        """The winners of a pass at `endowment`, in the order bought, as `engine.Pass` gives
        them; None when some decision is too close for floats, or once the process's CPU
        time (`time.process_time`) passes `give_up`."""
        try:
            return self._run(endowment, give_up)
        except _Uncertain:
            return None

    def _run(self, endowment: Fraction, give_up: float | None) -> list[int]:
        prep = self.prep
        first = float(endowment)
        first_error = 0.0 if Fraction(first) == endowment else math.ulp(first)
        # Per supporting row: its group's money and the bound on that money's error.
        money = np.full(self.rows, first)
        error = np.full(self.rows, first_error)
        start = self.start
        cost, votes, util, key = prep.cost, prep.votes, prep.util, prep.key
        weight = prep.supporter_weight
        winners = [p for p in range(len(cost)) if votes[p] and cost[p] == 0]
        remaining = [p for p in range(len(cost)) if votes[p] and cost[p]]
        # A certain lower bound of each project's rho: it only rises from round to round
        # (money only goes down). Paying at most q each, the supporters need q >= cost/votes.
        bound = [0.0] * len(cost)
        for p in remaining:
            bound[p] = cost[p] / (votes[p] * util[p]) * (1 - 4 * _EPS)
        while remaining:
            if give_up is not None and time.process_time() > give_up:
                raise _Uncertain
            remaining.sort(key=bound.__getitem__)
            candidates: list[_Evaluation] = []
            best_high = math.inf
            unaffordable: list[int] = []
            for p in remaining:
                if bound[p] > best_high:
                    break  # its rho, and every later one's, is above some candidate's
                at, end = start[p], start[p + 1]
                evaluation = _evaluate(
                    p, cost[p], votes[p], util[p], weight[p], money[at:end], error[at:end]
                )
                if evaluation is None:
                    unaffordable.append(p)
                    continue
                bound[p] = max(bound[p], evaluation.low)
                candidates.append(evaluation)
                best_high = min(best_high, evaluation.high)
            for p in unaffordable:
                remaining.remove(p)
            if not candidates:
                break
            best = _best(candidates, key)
            chosen = best.project
            remaining.remove(chosen)
            winners.append(chosen)
            at, end = start[chosen], start[chosen + 1]
            poor = best.poor
            new_money = np.where(poor, 0.0, np.maximum(money[at:end] - best.q, 0.0))
            new_error = np.where(
                poor, 0.0, (error[at:end] + (best.q_error + money[at:end] * (2 * _EPS))) * _UP
            )
            rows, many = self.written(chosen)
            money[rows] = np.repeat(new_money, many)
            error[rows] = np.repeat(new_error, many)
        return winners


def fast_pass(prep: Prepared, endowment: Fraction) -> list[int] | None:
    """`FloatPasses(prep).count(endowment)`, for one pass."""
    return FloatPasses(prep).count(endowment)


def _best(candidates: list[_Evaluation], key: tuple[tuple[int, ...], ...]) -> _Evaluation:
    """The candidate with the lowest exact rho (ties by key), certainly; else `_Uncertain`."""
    best = min(candidates, key=lambda e: (e.high, key[e.project]))
    for other in candidates:
        if other is not best and _beats(other, best, key):
            best = other
    for other in candidates:
        if other is best or other.low > best.high:
            continue
        if not _beats(best, other, key):
            raise _Uncertain
    return best


def _beats(a: _Evaluation, b: _Evaluation, key: tuple[tuple[int, ...], ...]) -> bool:
    """Whether a's rho is certainly lower than b's, or equal with a first by key."""
    if a.high < b.low:
        return True
    if a.exact is not None and b.exact is not None:
        return a.exact < b.exact or (a.exact == b.exact and key[a.project] < key[b.project])
    return False


def _evaluate(
    p: int, cost: int, votes: int, util: int, w: Any, m: Any, error: Any
) -> _Evaluation | None:
    """Project p's rho as a certain interval, from its supporters' weights w, money m and the
    bounds of that money's error; None when they certainly cannot pay for it; `_Uncertain`
    when floats cannot tell."""
    sum_error = 2 * (len(w) + 2) * _EPS
    total = float(w @ m)
    total_error = float(w @ error) * (1 + sum_error) + total * sum_error
    if total + total_error < cost:
        return None
    if total - total_error < cost:
        raise _Uncertain
    # Water-filling, for a guess: the share starts as an equal split; whoever holds less
    # pays all they have and the rest split what is left, until nobody new is poor (the
    # poor only grow, so the same number of them is the same supporters).
    share = cost / votes
    poor_w = paid = 0.0
    below = m < share
    for _ in range(_FIXED_POINT_ROUNDS):
        below = m < share
        weighed = w * below
        now_w = float(weighed.sum())
        if now_w == poor_w:
            break
        poor_w, paid = now_w, float(weighed @ m)
        if votes - poor_w <= 0:
            raise _Uncertain
        share = (cost - paid) / (votes - poor_w)
    else:
        raise _Uncertain
    rich = votes - int(poor_w)  # (a sum of whole numbers below 2**53: exact)
    exact = None
    if poor_w:
        paid = float(weighed @ m)  # (of exactly the supporters in `below`)
        paid_error = float(weighed @ error) * (1 + sum_error) + paid * sum_error
        left = cost - paid
        left_error = paid_error + 4 * _EPS * (cost + paid)
        low_q = (left - left_error) / rich * (1 - 4 * _EPS)
        high_q = (left + left_error) / rich * (1 + 4 * _EPS)
    else:
        exact = Fraction(cost, votes * util)
        low_q = cost / votes * (1 - 4 * _EPS)
        high_q = cost / votes * (1 + 4 * _EPS)
    # Certainly poor (m + error < low_q) or certainly rich (m - error >= high_q): nobody's
    # money within the largest error of the interval.
    margin = float(error.max()) * (1 + 4 * _EPS)
    edge_low = (low_q - margin) * (1 - 4 * _EPS)
    edge_high = (high_q + margin) * (1 + 4 * _EPS)
    if np.count_nonzero((m >= edge_low) & (m <= edge_high)):
        raise _Uncertain
    return _Evaluation(
        p,
        low_q / util * (1 - 4 * _EPS),
        high_q / util * (1 + 4 * _EPS),
        exact,
        (low_q + high_q) / 2,
        high_q - low_q,
        below,
    )
