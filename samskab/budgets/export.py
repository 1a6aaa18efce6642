"""A heading's stored ballots as a pabulib file (`samskab pb export`): the vote type of its
ballot style and the META that bounds its ballots, so pabulib tools count it as Samskab does.
The staff's results CSV for the decision record is read from the same files."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from samskab.budgets import pabulib
from samskab.budgets.counting.scored import ScoredElection
from samskab.budgets.models import BallotStyle, Budget, Heading
from samskab.budgets.selectors import heading_vote, ranking_scale
from samskab.core.csvsafe import neutralise


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


def results_csv(budget: Budget) -> str:
    """The published results for the decision record, one row per project on a ballot: its
    heading, title, price, votes (or points, for a points or ranked ballot) and whether it
    won. Semicolons and a BOM, so Danish Excel opens it as a table; names that would start
    a formula are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [_("Heading"), _("Project"), _("Price"), _("Votes or points"), _("Chosen"), _("Voters")]
    )
    headings = Heading.objects.filter(group__budget=budget).select_related("group", "result")
    for heading in headings.order_by("group__pk", "pk"):
        result = getattr(heading, "result", None)
        if result is None:
            continue
        file = heading_pabulib(heading)
        for project in file.projects:
            given = project.fields.get("votes") or project.fields.get("score") or "0"
            won = project.fields.get("selected") == "1"
            writer.writerow(
                [
                    neutralise(heading.name),
                    neutralise(project.fields.get("name", "")),
                    project.cost,
                    int(given),
                    _("yes") if won else _("no"),
                    result.voters,
                ]
            )
    return "\ufeff" + out.getvalue()
