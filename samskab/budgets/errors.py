"""The refusal every budget write raises (services, ballots, the count): its message says why,
for the citizen or staff member."""


class BudgetRefused(Exception):
    """A write the budget's rules do not allow; the message says why."""
