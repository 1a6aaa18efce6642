"""Approval ballots, paper ballots entered by poll officers, and web/paper conflicts."""

import pytest
from django.db import IntegrityError

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.budgets.models import (
    Ballot,
    BallotConflict,
    BallotStyle,
    PaperRule,
    Phase,
    TieBreaking,
)
from samskab.budgets.services import (
    BudgetRefused,
    PaperOutcome,
    ballot_save,
    paper_ballot_enter,
)
from samskab.budgets.tests.factories import (
    GroupFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
    count_and_publish,
)

pytestmark = pytest.mark.django_db


def _approval_heading(limit=2, **kwargs):
    return HeadingFactory(
        group__ballot_style=BallotStyle.APPROVAL, group__max_approvals=limit, **kwargs
    )


# Approval style


def test_an_approval_ballot_takes_at_most_k_projects_whatever_they_cost():
    heading = _approval_heading(limit=2, amount=100)
    a, b, c = (ProjectFactory(heading=heading, price=90) for _ in range(3))
    ballot = ballot_save(heading=heading, user=ResidentFactory(), project_ids=[a.pk, b.pk])
    assert ballot.lines.count() == 2  # 180 > the amount of 100: approval ballots do not add up
    with pytest.raises(BudgetRefused, match="at most 2 projects"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[a.pk, b.pk, c.pk])


def test_a_heading_overrides_its_groups_ballot_style_and_limit():
    group = GroupFactory(ballot_style=BallotStyle.APPROVAL, max_approvals=3)
    knapsack = HeadingFactory(group=group, ballot_style=BallotStyle.KNAPSACK, amount=100)
    one = HeadingFactory(group=group, max_approvals=1)
    assert (knapsack.style, knapsack.approval_limit) == (BallotStyle.KNAPSACK, None)
    assert (one.style, one.approval_limit) == (BallotStyle.APPROVAL, 1)
    x, y = ProjectFactory(heading=knapsack, price=60), ProjectFactory(heading=knapsack, price=60)
    with pytest.raises(BudgetRefused, match="more than the 100"):
        ballot_save(heading=knapsack, user=ResidentFactory(), project_ids=[x.pk, y.pk])
    p, q = ProjectFactory(heading=one), ProjectFactory(heading=one)
    with pytest.raises(BudgetRefused, match="at most 1 project"):
        ballot_save(heading=one, user=ResidentFactory(), project_ids=[p.pk, q.pk])


def test_approval_ballots_are_counted_like_any_approval_ballots():
    heading = _approval_heading(limit=1, amount=1000)
    a, b = ProjectFactory(heading=heading, price=600), ProjectFactory(heading=heading, price=600)
    for project in (a, a, b):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    (result,) = count_and_publish(heading.group.budget)
    assert (result.winners, result.voters) == ([a.pk], 3)


# Paper ballots


def _officer():
    return StaffFactory(role=Role.POLL_OFFICER)


def test_a_poll_officer_enters_a_paper_ballot_for_a_resident_in_the_census():
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    census_person("0101801234")
    outcome = paper_ballot_enter(
        heading=heading, officer=_officer(), identifier="010180-1234", project_ids=[project.pk]
    )
    assert outcome is PaperOutcome.ENTERED
    ballot = Ballot.objects.get()
    assert (ballot.source, ballot.user, list(ballot.lines.values_list("project", flat=True))) == (
        Ballot.Source.PAPER,
        None,
        [project.pk],
    )


def test_a_paper_ballot_counts_once_per_citizen():
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    census_person("0101801234")
    paper_ballot_enter(
        heading=heading, officer=_officer(), identifier="0101801234", project_ids=[project.pk]
    )
    with pytest.raises(BudgetRefused, match="already entered"):
        paper_ballot_enter(
            heading=heading, officer=_officer(), identifier="0101801234", project_ids=[project.pk]
        )
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "identifier", "phase", "message"),
    [
        ("citizen", "0101801234", Phase.BALLOTING, "Only poll officers"),
        ("officer", "9999999999", Phase.BALLOTING, "Nobody with this identifier"),
        ("officer", " ", Phase.BALLOTING, "Type the voter"),
        ("officer", "0101801234", Phase.FINISHED, "only during the vote"),
        ("officer", "0101801234", Phase.SELECTING, "only during the vote"),
    ],
)
def test_paper_ballots_are_refused_with_a_reason(who, identifier, phase, message):
    heading = HeadingFactory(group__budget__phase=phase)
    project = ProjectFactory(heading=heading)
    census_person("0101801234")
    officer = _officer() if who == "officer" else ResidentFactory()
    with pytest.raises(BudgetRefused, match=message):
        paper_ballot_enter(
            heading=heading, officer=officer, identifier=identifier, project_ids=[project.pk]
        )


def test_a_paper_ballot_is_checked_like_a_web_ballot():
    heading = HeadingFactory(amount=500)
    a, b = ProjectFactory(heading=heading, price=400), ProjectFactory(heading=heading, price=400)
    other = ProjectFactory()
    census_person("0101801234")
    for ids, message in (
        ([a.pk, b.pk], "more than the 500"),
        ([other.pk], "another heading"),
        ([], "at least one project"),
    ):
        with pytest.raises(BudgetRefused, match=message):
            paper_ballot_enter(
                heading=heading, officer=_officer(), identifier="0101801234", project_ids=ids
            )


def test_paper_wins_by_default_over_a_web_ballot_and_the_case_is_logged():
    heading = HeadingFactory()
    web, paper = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    user = ResidentFactory()
    census_person("0101801234", user=user)
    ballot_save(heading=heading, user=user, project_ids=[web.pk])
    officer = _officer()
    outcome = paper_ballot_enter(
        heading=heading, officer=officer, identifier="0101801234", project_ids=[paper.pk]
    )
    assert outcome is PaperOutcome.REPLACED_WEB
    ballot = Ballot.objects.get()
    assert ballot.source == Ballot.Source.PAPER
    assert list(ballot.lines.values_list("project", flat=True)) == [paper.pk]
    conflict = BallotConflict.objects.get()
    assert (conflict.kept, conflict.set_aside, conflict.officer) == ("paper", [web.pk], officer)
    # The citizen can no longer change it on the web; that attempt is logged too.
    with pytest.raises(BudgetRefused, match="paper ballot from the polling station counts"):
        ballot_save(heading=heading, user=user, project_ids=[web.pk])
    assert BallotConflict.objects.count() == 2


def test_when_the_web_wins_the_paper_ballot_is_set_aside_and_logged():
    heading = HeadingFactory(group__budget__paper_rule=PaperRule.WEB_WINS)
    web, paper = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    user = ResidentFactory()
    census_person("0101801234", user=user)
    ballot_save(heading=heading, user=user, project_ids=[web.pk])
    outcome = paper_ballot_enter(
        heading=heading, officer=_officer(), identifier="0101801234", project_ids=[paper.pk]
    )
    assert outcome is PaperOutcome.WEB_KEPT
    ballot = Ballot.objects.get()
    assert (ballot.source, list(ballot.lines.values_list("project", flat=True))) == (
        "web",
        [web.pk],
    )
    assert BallotConflict.objects.get().set_aside == [paper.pk]


def test_a_web_ballot_after_paper_replaces_it_when_the_web_wins():
    heading = HeadingFactory(group__budget__paper_rule=PaperRule.WEB_WINS)
    web, paper = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    user = ResidentFactory()
    census_person("0101801234", user=user)
    paper_ballot_enter(
        heading=heading, officer=_officer(), identifier="0101801234", project_ids=[paper.pk]
    )
    ballot_save(heading=heading, user=user, project_ids=[web.pk])
    ballot = Ballot.objects.get()
    assert (ballot.source, ballot.user) == ("web", user)
    assert BallotConflict.objects.get().kept == "web"


def test_one_ballot_per_person_and_heading_is_a_database_constraint():
    heading = HeadingFactory()
    Ballot.objects.create(heading=heading, person="a" * 64, source="paper")
    with pytest.raises(IntegrityError):
        Ballot.objects.create(heading=heading, person="a" * 64, source="web")


# Tie-breaking from the budget's configuration


@pytest.mark.parametrize(
    ("tie_breaking", "winner"),
    [(TieBreaking.COST_VOTES, "cheap"), (TieBreaking.ID, "first"), (TieBreaking.CONSUL, "last")],
)
def test_the_budgets_tie_breaking_decides_a_tie(tie_breaking, winner):
    heading = HeadingFactory(amount=1000, group__budget__tie_breaking=tie_breaking)
    budget = heading.group.budget
    budget.rule = "greedy"
    budget.save()
    projects = {
        "first": ProjectFactory(heading=heading, price=700),
        "cheap": ProjectFactory(heading=heading, price=600),
        "last": ProjectFactory(heading=heading, price=700),
    }
    # Two votes each: greedy can fund only one of them.
    for name in ("first", "cheap", "last", "first", "cheap", "last"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[projects[name].pk])
    (result,) = count_and_publish(budget)
    assert result.winners == [projects[winner].pk]
