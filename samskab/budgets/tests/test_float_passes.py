"""Add1's float passes (`counting/floatpass.py`) against the exact engine: the same winners,
in the same order, wherever floats decide; the exact count wherever they cannot."""

from __future__ import annotations

import random
from fractions import Fraction
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, Election, TieBreaking, Utility, equal_shares, mes
from samskab.budgets.counting.engine import Pass, prepare
from samskab.budgets.counting.floatpass import FloatPasses

from .strategies import elections
from .test_wieliczka import _find

# Pure counting: the same in both of CI's passes, so it runs in one (conftest.py).
pytestmark = pytest.mark.one_pass

PROPERTY = settings(max_examples=300, deadline=None, database=None)
ADD1 = [c for c in Completion if c.raises_shares]


def _same_outcome(election: Election, **options: object) -> None:
    """Add1 by float passes first and by the exact engine alone give the same outcome."""
    exact = equal_shares(election, float_passes=False, **options)  # type: ignore[arg-type]
    floats = equal_shares(election, float_passes=True, **options)  # type: ignore[arg-type]
    assert floats.winners == exact.winners
    assert floats.endowment == exact.endowment
    assert floats.verdicts == exact.verdicts
    assert floats.rounds == exact.rounds


def _steps(election: Election, utility: Utility, steps: int) -> tuple[int, int]:
    """Every float pass from the Add1 start over `steps` steps is the exact pass's winners
    or None; how many passes floats decided, of how many."""
    prep = prepare(election, utility)
    passes = FloatPasses(prep)
    start = Fraction(election.budget // max(prep.voters, 1))
    decided = 0
    for step in range(steps):
        endowment = start + step
        winners = passes.count(endowment)
        if winners is not None:
            decided += 1
            assert winners == Pass(prep, endowment).run().winners, step
    return decided, steps


@PROPERTY
@given(elections(), st.sampled_from(list(Utility)), st.integers(0, 60))
def test_a_float_pass_gives_the_exact_winners_or_none(election, utility, endowment):
    prep = prepare(election, utility)
    winners = FloatPasses(prep).count(Fraction(endowment))
    if winners is not None:
        assert winners == Pass(prep, Fraction(endowment)).run().winners


@PROPERTY
@given(
    elections(max_voters=20),
    st.sampled_from(list(Utility)),
    st.sampled_from(ADD1),
    st.booleans(),
    st.sampled_from(list(TieBreaking)),
)
def test_add1_by_float_passes_gives_the_exact_outcome(
    election, utility, completion, integral_start, tie_breaking
):
    _same_outcome(
        election,
        utility=utility,
        completion=completion,
        integral_start=integral_start,
        tie_breaking=tie_breaking,
    )


def _uniform(projects: int, voters: int, seed: int) -> Election:
    """The security review's worst case, smaller: every voter approves 5 projects at random."""
    rng = random.Random(seed)
    ids = [f"p{i:03d}" for i in range(projects)]
    costs = {p: rng.randint(10_000, 500_000) for p in ids}
    ballots = [frozenset(rng.sample(ids, 5)) for _ in range(voters)]
    return Election(budget=sum(costs.values()) // 3, costs=costs, approvals=ballots)


def test_floats_decide_where_no_two_projects_are_close():
    # Nearly every ballot differs and no two prices tie: floats decide every pass (so the
    # comparison above is not with an engine that always gives up).
    election = _uniform(30, 1500, seed=5)
    decided, steps = _steps(election, Utility.COST, 6)
    assert decided == steps
    _same_outcome(election, completion=Completion.ADD1)


def test_floats_give_up_where_they_cannot_decide():
    # The supporters hold exactly the cost: within any rounding of it, so floats cannot say
    # whether they can pay; the pass is counted exactly (they can).
    election = Election(budget=20, costs={"A": 20}, approvals=[frozenset("A")] * 2)
    prep = prepare(election, Utility.COST)
    assert FloatPasses(prep).count(Fraction(10)) is None
    assert Pass(prep, Fraction(10)).run().winners == [0]
    _same_outcome(election, completion=Completion.ADD1)


@PROPERTY
@given(
    elections(max_voters=12),
    st.sampled_from(list(Utility)),
    st.sampled_from(ADD1),
    st.sampled_from([10**16 + 1, 3**33]),
)
def test_amounts_beyond_float_precision_count_the_same(election, utility, completion, scale):
    # At these sizes floats cannot tell many amounts apart: those passes are counted exactly,
    # and where floats are sure they must be right. (Add1 steps by one unit of a scaled
    # currency, so an outcome holds for very many steps: the exact passes skip them.)
    big = Election(
        budget=election.budget * scale,
        costs={p: c * scale for p, c in election.costs.items()},
        approvals=election.approvals,
        counts=election.counts,
    )
    _same_outcome(big, utility=utility, completion=completion)


def test_exact_ties_are_broken_as_the_exact_engine_breaks_them():
    # Every supporter can pay the equal share, so the prices are exactly cost/votes per unit
    # and A, B and C tie: floats compare them as fractions and the tie-break decides.
    election = Election(
        budget=300,
        costs={"A": 100, "B": 100, "C": 50},
        approvals=[frozenset("A"), frozenset("B"), frozenset("AC")],
        counts=[3, 3, 0],
    )
    prep = prepare(election, Utility.COST)
    winners = FloatPasses(prep).count(Fraction(50))
    assert winners is not None
    assert winners == Pass(prep, Fraction(50)).run().winners
    for tie_breaking in TieBreaking:
        _same_outcome(election, completion=Completion.ADD1, tie_breaking=tie_breaking)


@pytest.fixture(scope="module")
def wieliczka() -> pabulib.PabulibFile:
    path = _find()
    if path is None:
        pytest.skip("poland_wieliczka_2023_green-budget.pb not found (set SAMSKAB_SHARED)")
    return pabulib.read(path)


@pytest.mark.parametrize("budget", [None, 400_000])
@pytest.mark.parametrize("utility", list(Utility))
def test_real_ballots_count_the_same_by_float_passes(wieliczka, budget, utility):
    # Wieliczka 2023's real ballots, at their own budget and at 40% of it: every Add1 step's
    # float pass is the exact pass's winners, and the outcomes are equal.
    election = wieliczka.election()
    if budget is not None:
        election = Election(
            budget=budget,
            costs=election.costs,
            approvals=election.approvals,
            counts=election.counts,
        )
    decided, steps = _steps(election, utility, 40)
    assert decided >= steps // 2  # floats decide most passes of a real count
    for integral_start in (True, False):
        _same_outcome(
            election, utility=utility, completion=Completion.ADD1, integral_start=integral_start
        )
    if budget is None and utility is Utility.COST:
        outcome = equal_shares(election, float_passes=True, explain=False)
        assert set(outcome.winners) == set(wieliczka.selected())
        assert outcome.cost == 995_079


def test_choosing_the_faster_kind_step_by_step_gives_the_exact_outcome(wieliczka):
    # The default (`float_passes=None`) picks exact or float passes by their CPU time, which
    # differs from run to run; made to consider floats on small elections and to switch
    # often, it must still give the exact outcome, and must have counted by both kinds.
    used: dict[str, int] = {"float": 0, "exact": 0}
    float_count, exact_count = FloatPasses.count, mes.Stepper.count

    def counting_floats(self, *args):
        used["float"] += 1
        return float_count(self, *args)

    def counting_exact(self, step):
        used["exact"] += 1
        return exact_count(self, step)

    real = wieliczka.election()
    elections = [
        _uniform(30, 1500, seed=7),
        Election(budget=400_000, costs=real.costs, approvals=real.approvals, counts=real.counts),
    ]
    with (
        patch.object(mes, "worthwhile", lambda prep: True),
        patch.object(mes._Passes, "EXACT_SECONDS", 0.0),
        patch.object(mes._Passes, "RETRY", 2),
        patch.object(FloatPasses, "count", counting_floats),
        patch.object(mes.Stepper, "count", counting_exact),
    ):
        for election in elections:
            adaptive = equal_shares(election, explain=False)
            exact = equal_shares(election, explain=False, float_passes=False)
            assert adaptive.winners == exact.winners
            assert adaptive.endowment == exact.endowment
    assert used["float"] and used["exact"]
