"""The front page's section of citizens' budgets that are open, with their closing dates."""

from django.http import HttpRequest

from samskab.budgets.models import BudgetPhase, Phase
from samskab.budgets.selectors import budgets_public


def front_budgets(request: HttpRequest) -> dict | None:
    budgets = list(budgets_public().exclude(phase=Phase.FINISHED)[:4])
    if not budgets:
        return None
    rows = {
        (row.budget_id, row.phase): row for row in BudgetPhase.objects.filter(budget__in=budgets)
    }
    return {"budgets": [(budget, rows.get((budget.pk, budget.phase))) for budget in budgets]}
