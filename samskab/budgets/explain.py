"""An Outcome of the pure counting module as JSON to store, and back as plain facts to show.

Pure: no Django. Fractions are stored both exactly ("n/d") and rounded (for display).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from samskab.budgets.counting import Outcome


def _money(value: Fraction | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"exact": f"{value.numerator}/{value.denominator}", "approx": round(float(value), 2)}


def outcome_to_json(outcome: Outcome, *, voters: int) -> dict[str, Any]:
    rounds = {
        r.project: {
            "number": r.number,
            "max_payment": _money(r.max_payment),
            "payers": r.payers,
            "exhausted": r.exhausted,
            "paid_by_exhausted": _money(r.paid_by_exhausted),
        }
        for r in outcome.rounds
    }
    verdicts = {}
    for project, v in outcome.verdicts.items():
        verdicts[project] = {
            "cost": v.cost,
            "votes": v.votes,
            "reason": v.reason.value,
            "won": v.won,
            "step": v.step,
            "money_behind": _money(v.money_behind),
            "budget_left": v.budget_left,
            "spent_elsewhere": [[p, _money(m)] for p, m in v.spent_elsewhere],
            "round": rounds.get(project),
        }
    return {
        "rule": outcome.rule,
        "budget": outcome.budget,
        "voters": voters,
        "winners": list(outcome.winners),
        "cost": outcome.cost,
        "endowment": _money(outcome.endowment),
        "verdicts": verdicts,
    }
