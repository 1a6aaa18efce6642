"""Random small elections for property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from samskab.budgets.counting import Election

PROJECTS = "ABCDEFG"


@st.composite
def elections(draw: st.DrawFn, max_projects: int = 6, max_voters: int = 9) -> Election:
    names = draw(
        st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=max_projects, unique=True)
    )
    # Small costs, with repeats, so that ties and exact fits are common.
    costs = {name: draw(st.sampled_from([0, 1, 5, 10, 12, 30, 50, 99])) for name in names}
    ballots = draw(st.lists(st.frozensets(st.sampled_from(names)), min_size=0, max_size=max_voters))
    budget = draw(st.integers(0, 150))
    if draw(st.booleans()) or not ballots:
        return Election(budget=budget, costs=costs, approvals=ballots)
    counts = draw(st.lists(st.integers(0, 3), min_size=len(ballots), max_size=len(ballots)))
    return Election(budget=budget, costs=costs, approvals=ballots, counts=counts)
