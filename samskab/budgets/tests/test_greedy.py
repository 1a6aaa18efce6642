import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samskab.budgets.counting import Election, Reason, greedy

from .strategies import elections

# Pure counting: the same in both of CI's passes, so it runs in one (conftest.py).
pytestmark = pytest.mark.one_pass


def test_it_funds_the_most_voted_and_skips_what_does_not_fit():
    # 100 to spend. A (60, 5 votes) fits, leaving 40; B (50, 4 votes) does not fit and is
    # skipped; C (40, 3 votes) takes the last 40; D (10, 1 vote) no longer fits.
    election = Election(
        budget=100,
        costs={"A": 60, "B": 50, "C": 40, "D": 10},
        approvals=[frozenset("ABC")] * 3 + [frozenset("AB")] + [frozenset("AD")],
    )
    outcome = greedy(election)
    assert outcome.winners == ("A", "C")
    assert outcome.cost == 100
    assert outcome.verdicts["B"].reason is Reason.DID_NOT_FIT
    assert outcome.verdicts["B"].budget_left == 40
    assert outcome.verdicts["D"].budget_left == 0
    assert [outcome.verdicts[p].step for p in "ABCD"] == [1, 2, 3, 4]


def test_it_breaks_equal_votes_by_lower_cost_then_by_listing_order():
    election = Election(
        budget=100,
        costs={"first": 70, "second": 70, "cheap": 30},
        approvals=[frozenset({"first", "second", "cheap"})],
    )
    # All have one vote: cheap (30) goes first, then the first-listed of the two at 70.
    assert greedy(election).winners == ("cheap", "first")


def test_it_does_not_fund_a_project_nobody_voted_for():
    election = Election(budget=100, costs={"A": 10, "B": 10}, approvals=[frozenset("A")])
    outcome = greedy(election)
    assert outcome.winners == ("A",)
    assert outcome.verdicts["B"].reason is Reason.NO_SUPPORTERS


def test_counts_stand_for_repeated_ballots():
    one_by_one = Election(
        budget=50,
        costs={"A": 50, "B": 50},
        approvals=[frozenset("A")] * 2 + [frozenset("B")] * 3,
    )
    grouped = Election(
        budget=50,
        costs={"A": 50, "B": 50},
        approvals=[frozenset("A"), frozenset("B")],
        counts=[2, 3],
    )
    assert greedy(one_by_one).winners == greedy(grouped).winners == ("B",)


@settings(max_examples=200, deadline=None, database=None)
@given(elections())
def test_it_never_spends_more_than_the_budget(election):
    assert greedy(election).cost <= election.budget


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=2), st.integers(0, 50), min_size=1),
    st.integers(0, 200),
    st.integers(1, 4),
)
def test_with_everything_approved_it_takes_the_cheapest_while_they_fit(costs, budget, voters):
    election = Election(budget=budget, costs=costs, approvals=[frozenset(costs)] * voters)
    by_cost = sorted(costs, key=lambda p: (costs[p], list(costs).index(p)))
    expected: list[str] = []
    for project in by_cost:
        if sum(costs[p] for p in expected) + costs[project] > budget:
            break
        expected.append(project)
    assert list(greedy(election).winners) == expected
