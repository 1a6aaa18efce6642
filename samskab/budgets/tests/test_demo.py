import pytest

from samskab.budgets.demo import TITLE, budgets_demo_load
from samskab.budgets.models import Budget, Heading, Phase, Project
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_budget_in_balloting_with_two_headings_of_priced_projects():
    budget = budgets_demo_load()
    assert budget.phase == Phase.BALLOTING and budget.is_published
    headings = Heading.objects.filter(group__budget=budget)
    assert sorted(h.amount for h in headings) == [300_000, 1_000_000]
    for heading in headings:
        on_ballot = heading.projects.filter(status=Project.Status.ON_BALLOT).exclude(price=None)
        assert 5 <= on_ballot.count() <= 6


def test_loading_the_demo_twice_creates_nothing_twice_and_keeps_ballots():
    budget = budgets_demo_load()
    heading = Heading.objects.get(group__budget=budget, name="Midtbyen")
    ballot_save(heading=heading, user=ResidentFactory(), project_ids=[heading.projects.first().pk])
    budgets_demo_load()
    assert Budget.objects.filter(title=TITLE).count() == 1
    assert Project.objects.count() == 11
    assert heading.ballots.count() == 1


def test_the_demo_votes_with_points_in_the_whole_municipality():
    budget = budgets_demo_load()
    heading = Heading.objects.get(group__budget=budget, name="Projekter for hele kommunen")
    rules = heading.ballot_rules()
    assert (rules.style, rules.points_total, rules.cap) == ("cumulative", 10, 5)
    first, second = heading.projects.all()[:2]
    ballot = ballot_save(
        heading=heading, user=ResidentFactory(), points={first.pk: 5, second.pk: 5}
    )
    assert ballot.lines.count() == 2


def test_the_demo_has_a_budget_to_support_proposals_in():
    from samskab.budgets.demo import SUPPORTS_TITLE, budgets_demo_supports

    budgets_demo_supports()
    budget = budgets_demo_supports()
    assert Budget.objects.filter(title=SUPPORTS_TITLE).count() == 1
    assert budget.phase == Phase.SELECTING and budget.is_published
    projects = Project.objects.filter(heading__group__budget=budget)
    assert projects.count() == 4
    assert set(projects.values_list("status", flat=True)) == {Project.Status.SUBMITTED}


def test_the_demo_has_a_finished_budget_counted_and_published_by_the_real_count():
    from samskab.accounts.demo import accounts_demo_load
    from samskab.accounts.models import User
    from samskab.budgets.demo import PAST_VOTERS, budgets_demo_past
    from samskab.budgets.models import Ballot, HeadingResult, Tally

    accounts_demo_load({})
    admin = User.objects.get(email="admin@demo.samskab.dk")
    budget = budgets_demo_past(admin)
    budgets_demo_past(admin)  # a second start counts nothing again
    assert budget.phase == Phase.FINISHED
    assert Ballot.objects.filter(heading__group__budget=budget).count() == PAST_VOTERS
    assert budget.tallies.get().state == Tally.State.PUBLISHED
    result = HeadingResult.objects.get(heading__group__budget=budget)
    assert result.voters == PAST_VOTERS
    statuses = set(
        Project.objects.filter(heading__group__budget=budget).values_list("status", flat=True)
    )
    assert statuses == {Project.Status.WINNER, Project.Status.NOT_WINNER}
    assert result.cost <= 750_000
