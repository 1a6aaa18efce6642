"""Counting participatory budgets: CONSUL's greedy rule and the Method of Equal Shares."""

from samskab.budgets.counting.election import (
    MAX_AMOUNT,
    Completion,
    Election,
    Outcome,
    Reason,
    Round,
    TieBreak,
    TieBreaking,
    Utility,
    Verdict,
)
from samskab.budgets.counting.greedy import greedy
from samskab.budgets.counting.mes import equal_shares, is_exhaustive

__all__ = [
    "MAX_AMOUNT",
    "Completion",
    "Election",
    "Outcome",
    "Reason",
    "Round",
    "TieBreak",
    "TieBreaking",
    "Utility",
    "Verdict",
    "equal_shares",
    "greedy",
    "is_exhaustive",
]
