"""Every pabulib vote type and rule, on small instances counted by hand."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, Election, TieBreaking, Utility, equal_shares
from samskab.budgets.counting.election import Reason
from samskab.budgets.counting.scored import (
    ScoredElection,
    borda,
    equal_shares_scored,
    greedy_by_score,
)
from samskab.budgets.tests.strategies import elections

# Pure counting: the same in both of CI's passes, so it runs in one (conftest.py).
pytestmark = pytest.mark.one_pass


def _file(meta: str, projects: str, votes: str, columns: str = "voter_id;vote;points") -> str:
    return (
        f"META\nkey;value\n{meta}\nPROJECTS\nproject_id;cost;selected\n{projects}\n"
        f"VOTES\n{columns}\n{votes}\n"
    )


# Scores by hand: a = 3 + 1 = 4, b = 2 + 5 = 7, c = 3.
CUMULATIVE = _file(
    "budget;10\nvote_type;cumulative\nmax_sum_points;5\nrule;greedy",
    "a;6;0\nb;5;1\nc;1;1",
    '1;a,b;3,2\n2;b;5\n3;"a,c";"1,3"',
)


def test_cumulative_ballots_are_counted_by_their_points():
    instance = pabulib.parse(CUMULATIVE)
    assert instance.scored().scores() == {"a": 4, "b": 7, "c": 3}


def test_greedy_skips_a_project_that_does_not_fit_and_goes_on():
    # b (7 points) leaves 5; a (6) does not fit; c (1) does.
    outcome = pabulib.tally(pabulib.parse(CUMULATIVE))
    assert outcome.winners == ("b", "c")
    assert outcome.verdicts["a"].reason is Reason.DID_NOT_FIT


def test_greedy_without_skipping_stops_at_the_first_that_does_not_fit():
    outcome = pabulib.tally(pabulib.parse(CUMULATIVE), rule="greedy-no-skip")
    assert outcome.winners == ("b",)
    assert outcome.verdicts["c"].reason is Reason.DID_NOT_FIT


def test_greedy_with_a_threshold_funds_no_project_under_it():
    text = CUMULATIVE.replace("rule;greedy", "rule;greedy-threshold\nmin_project_score_threshold;4")
    outcome = pabulib.tally(pabulib.parse(text))
    assert outcome.winners == ("b",)
    assert outcome.verdicts["c"].reason is Reason.BELOW_THRESHOLD


def test_greedy_threshold_without_a_threshold_is_refused():
    text = CUMULATIVE.replace("rule;greedy", "rule;greedy-threshold")
    with pytest.raises(pabulib.PabulibError, match="no threshold"):
        pabulib.tally(pabulib.parse(text))


def test_scoring_ballots_count_like_cumulative_ones():
    text = CUMULATIVE.replace("cumulative\nmax_sum_points;5", "scoring\nmax_points;5")
    assert pabulib.tally(pabulib.parse(text)).winners == ("b", "c")


def test_borda_gives_the_first_of_a_ranking_max_length_points():
    assert borda(["x", "y", "z"], 4) == {"x": 4, "y": 3, "z": 2}
    with pytest.raises(ValueError, match="longer"):
        borda(["x", "y"], 1)


def test_ordinal_ballots_are_counted_by_borda_points():
    # max_length 3: x,y,z gives 3,2,1; y,x gives 3,2; z gives 3. x = 5, y = 5, z = 4.
    text = _file(
        "budget;5\nvote_type;ordinal\nmax_length;3\nscoring_fn;Borda\nrule;greedy",
        "x;3;1\ny;2;1\nz;1;0",
        '1;"x,y,z"\n2;"y,x"\n3;z',
        columns="voter_id;vote",
    )
    instance = pabulib.parse(text)
    assert instance.scored().scores() == {"x": 5, "y": 5, "z": 4}
    # the tie of x and y goes to the cheaper y; then x fits (5 in all), z does not
    assert pabulib.tally(instance).winners == ("y", "x")


def test_choose_1_ballots_are_counted_as_approval():
    text = _file(
        "budget;3\nvote_type;choose-1\nrule;greedy",
        "a;2;1\nb;2;0",
        "1;a\n2;a\n3;b",
        "voter_id;vote",
    )
    assert pabulib.tally(pabulib.parse(text)).winners == ("a",)


def _scored() -> ScoredElection:
    return ScoredElection(
        budget=6,
        costs={"a": 4, "b": 2, "c": 3},
        ballots=[{"a": 2, "b": 1}, {"a": 2, "c": 1}],
    )


def test_equal_shares_with_points_buys_what_the_shares_pay_for():
    # Shares of 3: a costs 4 for 4 points, 1 a point, each pays 2. Then 1 is left each:
    # b (2) and c (3) cannot be paid.
    outcome = equal_shares_scored(_scored(), completion=Completion.NONE)
    assert outcome.winners == ("a",)
    assert outcome.verdicts["b"].reason is Reason.UNAFFORDABLE


def test_equal_shares_with_points_and_add1_raises_the_shares():
    # Shares of 4: a (2 each), then b from voter 1's 2 left: 6, the whole budget. Shares of 5
    # would also buy c (9 in all), over the budget, so Add1 stops at 4.
    outcome = equal_shares_scored(_scored(), completion=Completion.ADD1)
    assert outcome.winners == ("a", "b")
    assert outcome.endowment == Fraction(4)


def test_equal_shares_completion_fills_up_by_score():
    outcome = equal_shares_scored(_scored(), completion=Completion.UTILITARIAN)
    assert outcome.winners == ("a", "b")
    assert outcome.verdicts["b"].reason is Reason.COMPLETION


def test_equal_shares_rules_of_a_cumulative_file_count_points():
    text = CUMULATIVE.replace("rule;greedy", "rule;equalshares/add1")
    outcome = pabulib.tally(pabulib.parse(text))
    assert outcome.rule == "equal_shares/score/add1"
    assert outcome.cost <= 10


def test_the_comparison_step_keeps_greedy_when_more_voters_prefer_it():
    # Budget 5, five voters, shares of 1: a (cost 5) has three voters holding 3, too little,
    # so Equal Shares buys b and c (each paid by its own voter); greedy buys a (3 votes), and
    # then nothing else fits. Three voters prefer greedy's outcome, two Equal Shares'.
    text = _file(
        "budget;5\nvote_type;approval\nrule;equalshares-comparison",
        "a;5;1\nb;1;0\nc;1;0",
        "1;a\n2;a\n3;a\n4;b\n5;c",
        "voter_id;vote",
    )
    instance = pabulib.parse(text)
    assert pabulib.tally(instance, rule="equalshares").winners == ("b", "c")
    assert pabulib.tally(instance).winners == ("a",)


@pytest.mark.parametrize(
    ("meta", "votes", "message"),
    [
        ("vote_type;cumulative\nmax_points;3", "1;a;4", "more than max_points 3"),
        ("vote_type;cumulative\nmax_sum_points;5", '1;"a,b";"3,3"', "more than max_sum_points"),
        ("vote_type;cumulative\nmin_sum_points;5", "1;a;3", "fewer than min_sum_points"),
        ("vote_type;scoring\nmin_points;2", "1;a;1", "fewer than min_points"),
        ("vote_type;cumulative", "1;a;1000000000000", "out of range"),
        ("vote_type;cumulative", "1;a;-1", "out of range"),
        ("vote_type;ordinal", '1;"a,b,a";', "names a project twice"),
        ("vote_type;ordinal\nmax_length;1", '1;"a,b";', "more than max_length 1"),
        ("vote_type;approval\nmin_length;2", "1;a;", "fewer than min_length 2"),
        ("vote_type;choose-1", '1;"a,b";', "choose-1 vote names 2"),
        ("vote_type;ordinal\nscoring_fn;harmonic", "1;a;", "scoring function 'harmonic'"),
        ("vote_type;plurality", "1;a;", "unknown vote_type"),
        ("vote_type;approval", "1;q;", "unknown projects"),
    ],
)
def test_a_ballot_the_meta_rules_out_is_refused_with_its_line(meta, votes, message):
    text = _file(f"budget;10\n{meta}", "a;1;0\nb;1;0", votes)
    with pytest.raises(pabulib.PabulibError, match=message) as caught:
        pabulib.parse(text)
    assert str(caught.value).startswith("Line ")


def test_cumulative_votes_without_points_are_refused():
    text = _file("budget;10\nvote_type;cumulative", "a;1;0", "1;a", "voter_id;vote")
    with pytest.raises(pabulib.PabulibError, match="need a points column"):
        pabulib.parse(text)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "does not state the rule"),
        ("unknown", "does not state the rule"),
        ("greedy-custom", "only in words"),
        ("greedy-exclusive", "only in words"),
        ("lottery", "Unknown rule 'lottery'"),
    ],
)
def test_a_rule_samskab_cannot_count_is_refused_clearly(rule, message):
    text = CUMULATIVE.replace("rule;greedy", f"rule;{rule}")
    with pytest.raises(pabulib.PabulibError, match=message):
        pabulib.tally(pabulib.parse(text))


@pytest.mark.parametrize("vote_type", ["cumulative", "scoring", "ordinal"])
def test_ballots_with_points_are_written_and_read_back_the_same(vote_type):
    election = ScoredElection(
        budget=9, costs={"a": 4, "b": 2, "c": 3}, ballots=[{"a": 3, "b": 2, "c": 1}, {"c": 3}]
    )
    text = pabulib.write(
        pabulib.from_scored(election, vote_type=vote_type, meta={"max_length": "3"})
    )
    back = pabulib.parse(text)
    assert back.vote_type == vote_type
    assert back.scored().scores() == election.scores()


# --- properties -------------------------------------------------------------------------


@st.composite
def scored_elections(draw: st.DrawFn) -> ScoredElection:
    n = draw(st.integers(1, 6))
    costs = {str(i): draw(st.integers(0, 60)) for i in range(n)}
    ballots = draw(
        st.lists(
            st.dictionaries(st.sampled_from(list(costs)), st.integers(0, 5), max_size=n),
            max_size=8,
        )
    )
    return ScoredElection(budget=draw(st.integers(0, 120)), costs=costs, ballots=ballots)


@settings(max_examples=150, deadline=None)
@given(scored_elections(), st.booleans(), st.integers(0, 6))
def test_greedy_never_exceeds_the_budget(election, skip, threshold):
    outcome = greedy_by_score(
        election.approval(), scores=election.scores(), skip=skip, threshold=threshold
    )
    assert outcome.cost <= election.budget
    scores = election.scores()
    assert all(scores[p] >= max(threshold, 1) for p in outcome.winners)


@settings(max_examples=150, deadline=None)
@given(scored_elections(), st.sampled_from(list(Completion)))
def test_equal_shares_with_points_stays_within_the_budget(election, completion):
    assert equal_shares_scored(election, completion=completion).cost <= election.budget


@settings(max_examples=150, deadline=None)
@given(
    elections(), st.sampled_from([Completion.NONE, Completion.ADD1, Completion.ADD1_UTILITARIAN])
)
def test_one_point_per_approval_counts_as_equal_shares_with_cardinality(election, completion):
    # Two implementations (the fast approval engine, and the plain one for points) agree.
    scored = ScoredElection(
        budget=election.budget,
        costs=election.costs,
        ballots=[dict.fromkeys(b, 1) for b in election.approvals],
        counts=election.counts,
    )
    fast = equal_shares(
        election, utility=Utility.CARDINALITY, completion=completion, tie_breaking=TieBreaking.ID
    )
    plain = equal_shares_scored(scored, completion=completion, tie_breaking=TieBreaking.ID)
    assert set(plain.winners) == set(fast.winners)
    # (the fast engine buys free projects in listing order, before the others)
    paid = [p for p in fast.winners if election.costs[p]]
    assert [p for p in plain.winners if election.costs[p]] == paid


def test_greedy_without_skipping_funds_a_prefix_of_the_order():
    election = Election(budget=5, costs={"a": 3, "b": 3, "c": 1}, approvals=[frozenset("abc")] * 2)
    assert greedy_by_score(election, skip=False).winners == ("c", "a")
