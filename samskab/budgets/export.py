"""A heading's stored ballots as a pabulib file (`samskab pb export`): the vote type of its
ballot style and the META that bounds its ballots, so pabulib tools count it as Samskab does."""

from __future__ import annotations

from samskab.budgets import pabulib
from samskab.budgets.counting.scored import ScoredElection
from samskab.budgets.models import BallotStyle, Heading
from samskab.budgets.selectors import heading_vote, ranking_scale


def heading_pabulib(heading: Heading) -> pabulib.PabulibFile:
    budget = heading.group.budget
    rules = heading.ballot_rules()
    election = heading_vote(heading)
    titles = dict(heading.projects.values_list("pk", "title"))
    winners = set(getattr(getattr(heading, "result", None), "winners", []) or [])
    fields = {
        p: {
            "name": titles[int(p)],
            **({"selected": "1" if int(p) in winners else "0"} if winners else {}),
        }
        for p in election.costs
    }
    meta = {
        "description": f"{budget.title}: {heading.name}",
        "country": "Denmark",
        "unit": heading.name,
        "currency": budget.currency,
        "rule": pabulib.SAMSKAB_RULES.get(budget.rule, budget.rule),
        "tie_breaking": budget.tie_breaking,
    }
    if isinstance(election, ScoredElection):
        if rules.style == BallotStyle.RANKED:
            # The ranking is written best first; Borda over max_length gives the points back.
            meta |= {"max_length": str(ranking_scale(heading)), "scoring_fn": "Borda"}
            vote_type = pabulib.ORDINAL
        else:
            meta |= {"max_sum_points": str(rules.points_total or 0)}
            meta |= {"max_points": str(rules.cap)} if rules.cap else {}
            vote_type = pabulib.CUMULATIVE
        return pabulib.from_scored(election, vote_type=vote_type, meta=meta, project_fields=fields)
    if heading.approval_limit:
        meta["max_length"] = str(heading.approval_limit)
    if rules.style == BallotStyle.KNAPSACK:
        meta["max_sum_cost"] = str(heading.amount)
    return pabulib.from_election(election, meta=meta, project_fields=fields)
