"""CONSUL's rule: the most-voted projects first, each one that still fits in the heading's amount.

CONSUL (`Budget::Result#calculate_winners`) walks the investments by ballot count, highest first,
and makes each a winner when the money left is at least its price; one that does not fit is
skipped and the walk goes on. CONSUL breaks equal counts by database id, newest first
(`TieBreaking.CONSUL`); by default we break them by lower cost first (a cheaper project leaves
more for the rest), then by the election's project order (`TieBreaking.COST_VOTES`), and
`TieBreaking.ID` by the lower id. Projects nobody voted for are not funded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from samskab.budgets.counting.election import Election, Outcome, Reason, TieBreaking, Verdict


def greedy(election: Election, *, tie_breaking: TieBreaking = TieBreaking.COST_VOTES) -> Outcome:
    verdicts = greedy_fill(election, chosen=(), reason=Reason.CHOSEN, tie_breaking=tie_breaking)
    winners = tuple(p for p, v in sorted(verdicts.items(), key=_by_step) if v.won)
    return Outcome(rule="greedy", budget=election.budget, winners=winners, verdicts=verdicts)


def greedy_order(
    election: Election,
    votes: Mapping[str, int] | None = None,
    tie_breaking: TieBreaking = TieBreaking.COST_VOTES,
) -> list[str]:
    """The order greedy examines projects in: votes down, then by the tie-breaking (by default
    cost up, then listing order)."""
    votes = election.votes() if votes is None else votes
    ids = list(election.costs)
    keys, _criteria = tie_breaking.keys(
        ids, [election.costs[p] for p in ids], [votes[p] for p in ids]
    )
    order = sorted(range(len(ids)), key=lambda i: (-votes[ids[i]], keys[i]))
    return [ids[i] for i in order]


def greedy_fill(
    election: Election,
    *,
    chosen: Collection[str],
    reason: Reason,
    tie_breaking: TieBreaking = TieBreaking.COST_VOTES,
    scores: Mapping[str, int] | None = None,
    skip: bool = True,
    threshold: int = 0,
) -> dict[str, Verdict]:
    """Verdicts for the projects not in `chosen`, adding each that fits in greedy order.

    With nothing chosen this is the greedy rule itself (reason CHOSEN); after another rule it
    is the utilitarian completion (reason COMPLETION), numbered from 1 again. `scores`
    replaces the approval votes as the measure; `skip=False` stops at the first project that
    does not fit; projects scoring below `threshold` are not funded.
    """
    votes = election.votes() if scores is None else scores
    left = election.budget - sum(election.costs[p] for p in chosen)
    verdicts: dict[str, Verdict] = {}
    step = 0
    stopped = False
    for project in greedy_order(election, votes, tie_breaking):
        if project in chosen:
            continue
        cost = election.costs[project]
        if votes[project] == 0:
            verdicts[project] = Verdict(project, cost, 0, Reason.NO_SUPPORTERS)
            continue
        if votes[project] < threshold:
            verdicts[project] = Verdict(project, cost, votes[project], Reason.BELOW_THRESHOLD)
            continue
        step += 1
        if cost <= left and not stopped:
            left -= cost
            verdicts[project] = Verdict(project, cost, votes[project], reason, step=step)
        else:
            stopped = not skip  # greedy-no-skip: nothing after the first that did not fit
            verdicts[project] = Verdict(
                project, cost, votes[project], Reason.DID_NOT_FIT, step=step, budget_left=left
            )
    return {p: verdicts[p] for p in election.costs if p in verdicts}


def _by_step(item: tuple[str, Verdict]) -> int:
    return item[1].step or 0
