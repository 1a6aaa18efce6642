"""Ballots that give points (cumulative, scoring, ranked by a scoring function) and the rules
pabulib records for them: greedy by total score, and the Method of Equal Shares with each
voter's points as their utility.

Approval ballots are the special case of one point per approved project; they are counted by
the faster engine in `mes` and `engine`. Here money is exact `Fraction`s per group of identical
ballots: simple, and fast enough for the few hundred distinct ballots real cumulative files have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from samskab.budgets.counting.election import (
    Completion,
    Election,
    Outcome,
    Reason,
    TieBreaking,
    Verdict,
)
from samskab.budgets.counting.greedy import greedy_fill

# The most points one voter may give one project, and in all: far above any real ballot, and
# small enough that a project's total score stays an exact, printable whole number.
MAX_POINTS = 10**9


def borda(ranking: Sequence[str], length: int) -> dict[str, int]:
    """Points from a ranking, best first: `length` for the first, one less for each next
    (pabulib's "Borda" with `length` its max_length, e.g. 4, 3, 2, 1)."""
    if len(ranking) > length:
        raise ValueError(f"A ranking of {len(ranking)} projects is longer than {length}.")
    return {project: length - position for position, project in enumerate(ranking)}


@dataclass(frozen=True)
class ScoredElection:
    """One vote with points: the budget, the projects' costs and each ballot's points.

    `ballots` map projects to a voter's points (a project left out has 0). `counts`, when
    given, says how many voters cast each ballot.
    """

    budget: int
    costs: Mapping[str, int]
    ballots: Sequence[Mapping[str, int]]
    counts: Sequence[int] | None = None

    def __post_init__(self) -> None:
        # The approval view checks the budget, the costs, unknown projects and the counts.
        self.approval()
        for index, ballot in enumerate(self.ballots):
            for project, points in ballot.items():
                if isinstance(points, bool) or not isinstance(points, int):
                    raise ValueError(f"Ballot {index} gives {project!r} points that are not whole.")
                if not 0 <= points <= MAX_POINTS:
                    raise ValueError(
                        f"Ballot {index} gives {project!r} {points} points "
                        f"(from 0 to {MAX_POINTS})."
                    )

    def ballot_counts(self) -> Sequence[int]:
        return [1] * len(self.ballots) if self.counts is None else self.counts

    def approval(self) -> Election:
        """The same ballots as approval of every project given at least one point."""
        return Election(
            budget=self.budget,
            costs=self.costs,
            approvals=[frozenset(p for p, x in b.items() if x > 0) for b in self.ballots],
            counts=self.counts,
        )

    def scores(self) -> dict[str, int]:
        """Each project's total points, in the order of `costs`."""
        tally = dict.fromkeys(self.costs, 0)
        for ballot, count in zip(self.ballots, self.ballot_counts(), strict=True):
            for project, points in ballot.items():
                tally[project] += points * count
        return tally


def greedy_by_score(
    election: Election,
    *,
    scores: Mapping[str, int] | None = None,
    skip: bool = True,
    threshold: int = 0,
    tie_breaking: TieBreaking = TieBreaking.COST_VOTES,
) -> Outcome:
    """The projects by score, highest first, each funded while it fits.

    `scores` replaces the approval votes (points, Borda scores); `skip=False` stops at the first
    project that does not fit (pabulib's greedy-no-skip); a project scoring below `threshold`
    is never funded (greedy-threshold).
    """
    verdicts = greedy_fill(
        election,
        chosen=(),
        reason=Reason.CHOSEN,
        tie_breaking=tie_breaking,
        scores=scores,
        skip=skip,
        threshold=threshold,
    )
    winners = tuple(p for p, v in sorted(verdicts.items(), key=lambda i: i[1].step or 0) if v.won)
    name = "greedy" if skip else "greedy-no-skip"
    if threshold:
        name += f"/threshold={threshold}"
    return Outcome(rule=name, budget=election.budget, winners=winners, verdicts=verdicts)


# --- the Method of Equal Shares with points as utilities ------------------------------


@dataclass(frozen=True)
class _Groups:
    ids: tuple[str, ...]
    cost: tuple[int, ...]
    weight: tuple[int, ...]  # voters per distinct ballot
    # per project: (group, points) of the ballots giving it points
    supporters: tuple[tuple[tuple[int, int], ...], ...]
    key: tuple[tuple[int, ...], ...]


def _groups(election: ScoredElection, tie_breaking: TieBreaking) -> _Groups:
    ids = tuple(election.costs)
    index = {p: i for i, p in enumerate(ids)}
    seen: dict[tuple[tuple[str, int], ...], int] = {}
    weight: list[int] = []
    for ballot, count in zip(election.ballots, election.ballot_counts(), strict=True):
        shape = tuple(sorted((p, x) for p, x in ballot.items() if x > 0))
        g = seen.setdefault(shape, len(seen))
        if g == len(weight):
            weight.append(0)
        weight[g] += count
    supporters: list[list[tuple[int, int]]] = [[] for _ in ids]
    for shape, g in seen.items():
        if weight[g]:
            for project, points in shape:
                supporters[index[project]].append((g, points))
    votes = [sum(weight[g] for g, _x in s) for s in supporters]
    cost = tuple(election.costs[p] for p in ids)
    key, _criteria = tie_breaking.keys(ids, cost, votes)
    return _Groups(ids, cost, tuple(weight), tuple(tuple(s) for s in supporters), key)


def _rho(groups: _Groups, p: int, money: list[Fraction]) -> Fraction | None:
    """The least price per point at which project p's supporters, each paying
    min(money, price * points), pay its cost; None when all they have is not enough."""
    cost = groups.cost[p]
    sup = [(g, x) for g, x in groups.supporters[p] if money[g] > 0]
    weight = groups.weight
    if sum(weight[g] * money[g] for g, _x in sup) < cost:
        return None
    if cost == 0:
        return Fraction(0)
    sup.sort(key=lambda gx: money[gx[0]] / gx[1])
    paid = Fraction(0)
    points_left = sum(weight[g] * x for g, x in sup)
    for g, x in sup:
        rho = (cost - paid) / points_left
        if money[g] >= rho * x:
            return rho
        paid += weight[g] * money[g]
        points_left -= weight[g] * x
    raise AssertionError("unreachable: the supporters' money covers the cost")


def _mes_pass(groups: _Groups, endowment: Fraction) -> list[int]:
    money = [endowment] * len(groups.weight)
    remaining = [p for p in range(len(groups.ids)) if groups.supporters[p]]
    winners: list[int] = []
    while remaining:
        best: tuple[Fraction, int] | None = None
        still = []
        for p in remaining:
            rho = _rho(groups, p, money)
            if rho is None:
                continue  # never affordable again: money only goes down
            still.append(p)
            if best is None or (rho, groups.key[p]) < (best[0], groups.key[best[1]]):
                best = (rho, p)
        if best is None:
            break
        rho, p = best
        for g, x in groups.supporters[p]:
            money[g] -= min(money[g], rho * x)
        winners.append(p)
        remaining = [q for q in still if q != p]
    return winners


def equal_shares_scored(
    election: ScoredElection,
    *,
    completion: Completion = Completion.ADD1,
    increment: int = 1,
    integral_start: bool = True,
    tie_breaking: TieBreaking = TieBreaking.COST_VOTES,
    max_passes: int = 100_000,
) -> Outcome:
    """The Method of Equal Shares where a funded project is worth a voter's points for it.

    The completions are those of `equal_shares`: Add1 raises every voter's share by
    `increment` while the outcome still fits the budget (at most `max_passes` passes), and the
    utilitarian completions then fill up by total score.
    """
    if increment < 1:
        raise ValueError("The Add1 increment must be at least 1.")
    groups = _groups(election, tie_breaking)
    voters = sum(groups.weight)
    budget = election.budget
    supported = [p for p in range(len(groups.ids)) if groups.supporters[p]]
    if voters == 0:
        start = Fraction(0)
    elif completion.raises_shares and integral_start:
        start = Fraction(budget // voters)
    else:
        start = Fraction(budget, voters)
    winners = _mes_pass(groups, start)
    endowment, runs = start, 1
    while completion.raises_shares and voters and runs < max_passes:
        chosen = set(winners)
        left = budget - sum(groups.cost[p] for p in winners)
        waiting = [p for p in supported if p not in chosen]
        if not waiting or (
            completion.stops_when_exhaustive and all(groups.cost[p] > left for p in waiting)
        ):
            break
        following = _mes_pass(groups, endowment + increment)
        runs += 1
        if sum(groups.cost[p] for p in following) > budget:
            break
        endowment, winners = endowment + increment, following
    scores = election.scores()
    verdicts: dict[str, Verdict] = {}
    names = [groups.ids[p] for p in winners]
    for step, project in enumerate(names, start=1):
        verdicts[project] = Verdict(
            project, election.costs[project], scores[project], Reason.CHOSEN, step=step
        )
    if completion.fills_up:
        added = greedy_fill(
            election.approval(),
            chosen=names,
            reason=Reason.COMPLETION,
            tie_breaking=tie_breaking,
            scores=scores,
        )
        for project, verdict in sorted(added.items(), key=lambda i: i[1].step or 0):
            if verdict.reason is Reason.COMPLETION:
                verdicts[project] = verdict
                names.append(project)
    for project, cost in election.costs.items():
        if project not in verdicts:
            reason = Reason.UNAFFORDABLE if scores[project] else Reason.NO_SUPPORTERS
            verdicts[project] = Verdict(project, cost, scores[project], reason)
    return Outcome(
        rule=f"equal_shares/score/{completion.value}",
        budget=budget,
        winners=tuple(names),
        verdicts={p: verdicts[p] for p in election.costs},
        endowment=endowment,
        first_endowment=start,
        runs=runs,
    )
