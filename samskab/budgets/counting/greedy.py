"""CONSUL's rule: the most-voted projects first, each one that still fits in the heading's amount.

CONSUL (`Budget::Result#calculate_winners`) walks the investments by ballot count, highest first,
and makes each a winner when the money left is at least its price; one that does not fit is
skipped and the walk goes on. CONSUL breaks equal counts by database id, newest first; we break
them by lower cost first (a cheaper project leaves more for the rest), then by the election's
project order, so the result never depends on storage. Projects nobody voted for are not funded.
"""

from __future__ import annotations

from collections.abc import Collection

from samskab.budgets.counting.election import Election, Outcome, Reason, Verdict


def greedy(election: Election) -> Outcome:
    verdicts = greedy_fill(election, chosen=(), reason=Reason.CHOSEN)
    winners = tuple(p for p, v in sorted(verdicts.items(), key=_by_step) if v.won)
    return Outcome(rule="greedy", budget=election.budget, winners=winners, verdicts=verdicts)


def greedy_order(election: Election, votes: dict[str, int] | None = None) -> list[str]:
    """The order greedy examines projects in: votes down, then cost up, then listing order."""
    votes = election.votes() if votes is None else votes
    position = {p: i for i, p in enumerate(election.costs)}
    return sorted(election.costs, key=lambda p: (-votes[p], election.costs[p], position[p]))


def greedy_fill(
    election: Election, *, chosen: Collection[str], reason: Reason
) -> dict[str, Verdict]:
    """Verdicts for the projects not in `chosen`, adding each that fits in greedy order.

    With nothing chosen this is the greedy rule itself (reason CHOSEN); after another rule it
    is the utilitarian completion (reason COMPLETION), numbered from 1 again.
    """
    votes = election.votes()
    left = election.budget - sum(election.costs[p] for p in chosen)
    verdicts: dict[str, Verdict] = {}
    step = 0
    for project in greedy_order(election, votes):
        if project in chosen:
            continue
        cost = election.costs[project]
        if votes[project] == 0:
            verdicts[project] = Verdict(project, cost, 0, Reason.NO_SUPPORTERS)
            continue
        step += 1
        if cost <= left:
            left -= cost
            verdicts[project] = Verdict(project, cost, votes[project], reason, step=step)
        else:
            verdicts[project] = Verdict(
                project, cost, votes[project], Reason.DID_NOT_FIT, step=step, budget_left=left
            )
    return {p: verdicts[p] for p in election.costs if p in verdicts}


def _by_step(item: tuple[str, Verdict]) -> int:
    return item[1].step or 0
