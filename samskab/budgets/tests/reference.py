"""A slow, literal Method of Equal Shares to check the fast one against.

It follows the definitions word for word, voter by voter, with `Fraction`s and no grouping,
pruning or skipping: each round it computes every project's rho from scratch, and Add1 runs a
whole pass for every single endowment.
"""

from __future__ import annotations

from fractions import Fraction

from samskab.budgets.counting import Election, Utility


def reference_pass(
    election: Election,
    endowment: Fraction,
    utility: Utility,
    spent: list[dict[str, Fraction]] | None = None,
) -> list[str]:
    """The winners in the order bought; with `spent`, also what each voter (ballots unrolled
    by their counts, in order) paid for each project, appended to it."""
    ballots = zip(election.approvals, election.ballot_counts(), strict=True)
    voters = [b for b, c in ballots for _ in range(c)]
    money = [endowment] * len(voters)
    paid_by: list[dict[str, Fraction]] = [{} for _ in voters]
    if spent is not None:
        spent.extend(paid_by)
    order = {p: i for i, p in enumerate(election.costs)}
    votes = election.votes()
    winners: list[str] = []
    left = [p for p in election.costs if votes[p] > 0]
    for p in sorted((p for p in left if election.costs[p] == 0), key=order.__getitem__):
        winners.append(p)
        left.remove(p)
    while True:
        candidates = []
        for p in list(left):
            cost = election.costs[p]
            supporters = [i for i, b in enumerate(voters) if p in b]
            if sum(money[i] for i in supporters) < cost:
                left.remove(p)
                continue
            u = cost if utility is Utility.COST else 1
            # water-filling: the poorest pay all they have while that is below an equal split
            paid, rich, rho = Fraction(0), len(supporters), None
            for i in sorted(supporters, key=money.__getitem__):
                share = (cost - paid) / rich
                if money[i] >= share:
                    rho = share / u
                    break
                paid += money[i]
                rich -= 1
            assert rho is not None
            assert sum(min(money[i], rho * u) for i in supporters) == cost
            candidates.append((rho, cost, -votes[p], order[p], p))
        if not candidates:
            return winners
        rho, *_, best = min(candidates)
        u = election.costs[best] if utility is Utility.COST else 1
        for i, b in enumerate(voters):
            if best in b:
                payment = min(money[i], rho * u)
                money[i] -= payment
                if payment:
                    paid_by[i][best] = payment
        winners.append(best)
        left.remove(best)


def reference_add1(
    election: Election,
    utility: Utility,
    *,
    integral: bool = True,
    increment: int = 1,
    stop_when_exhaustive: bool = False,
) -> tuple[list[str], Fraction]:
    """Add1 as equalshares.net words it: one more unit per voter until the outcome would cost
    more than the budget (or, in the exhaustive variant, until no approved project fits)."""
    n = election.voters
    e = Fraction(election.budget // n) if integral else Fraction(election.budget, n)
    votes = election.votes()
    current = reference_pass(election, e, utility)
    while True:
        left = election.budget - sum(election.costs[p] for p in current)
        waiting = [p for p in election.costs if votes[p] and p not in current]
        if not waiting:
            return current, e  # every approved project is bought: nothing more can change
        if stop_when_exhaustive and all(election.costs[p] > left for p in waiting):
            return current, e
        following = reference_pass(election, e + increment, utility)
        if sum(election.costs[p] for p in following) > election.budget:
            return current, e
        e, current = e + increment, following
