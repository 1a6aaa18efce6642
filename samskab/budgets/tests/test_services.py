"""The phase rules: each write only in its phase, by the right people, within the amounts."""

import pytest
from django.db import IntegrityError

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.budgets.models import Ballot, HeadingResult, Phase, Project, Rule
from samskab.budgets.services import (
    BudgetRefused,
    ballot_save,
    project_submit,
    project_valuate,
    support_add,
)
from samskab.budgets.tests.factories import (
    BudgetFactory,
    GroupFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    assigned_valuator,
    count_and_publish,
)
from samskab.supports.models import Support

pytestmark = pytest.mark.django_db


def _in(phase, **kwargs):
    return HeadingFactory(group__budget__phase=phase, **kwargs)


# Submitting


def test_a_citizen_submits_a_project_while_projects_are_accepted():
    heading = _in(Phase.ACCEPTING)
    project = project_submit(
        heading=heading, author=UserFactory(), title=" Bænke ", description="Ved søen"
    )
    assert (project.title, project.status) == ("Bænke", Project.Status.SUBMITTED)


@pytest.mark.parametrize("phase", [Phase.INFORMING, Phase.SELECTING, Phase.BALLOTING])
def test_it_refuses_a_project_outside_the_accepting_phase(phase):
    with pytest.raises(BudgetRefused, match="accepted"):
        project_submit(heading=_in(phase), author=UserFactory(), title="x", description="y")


# Supporting


def test_a_verified_resident_supports_a_project_in_the_selecting_phase():
    project = ProjectFactory(heading=_in(Phase.SELECTING), status=Project.Status.SUBMITTED)
    support_add(project=project, user=ResidentFactory())
    assert project.supports.count() == 1


def test_it_refuses_support_outside_the_selecting_phase():
    project = ProjectFactory(heading=_in(Phase.ACCEPTING))
    with pytest.raises(BudgetRefused, match="selecting"):
        support_add(project=project, user=ResidentFactory())


def test_it_refuses_support_from_a_citizen_not_verified_as_resident():
    project = ProjectFactory(heading=_in(Phase.SELECTING))
    with pytest.raises(BudgetRefused, match="verified residents"):
        support_add(project=project, user=UserFactory())


def test_it_refuses_a_second_support_of_the_same_project():
    project = ProjectFactory(heading=_in(Phase.SELECTING))
    user = ResidentFactory()
    support_add(project=project, user=user)
    with pytest.raises(BudgetRefused, match="already"):
        support_add(project=project, user=user)
    assert project.supports.count() == 1


def test_one_support_per_person_and_project_is_a_database_constraint():
    project = ProjectFactory(heading=_in(Phase.SELECTING))
    user = ResidentFactory()
    Support.objects.create(target=project, user=user)
    with pytest.raises(IntegrityError):
        Support.objects.create(target=project, user=user)


def test_it_refuses_support_in_more_headings_of_a_group_than_allowed():
    first = _in(Phase.SELECTING)
    second = HeadingFactory(group=first.group)
    user = ResidentFactory()
    support_add(project=ProjectFactory(heading=first), user=user)
    support_add(project=ProjectFactory(heading=first), user=user)  # same heading: fine
    with pytest.raises(BudgetRefused, match="at most 1 heading"):
        support_add(project=ProjectFactory(heading=second), user=user)


def test_a_group_may_allow_support_in_several_headings():
    first = _in(Phase.SELECTING, group__max_headings_supported=2)
    second = HeadingFactory(group=first.group)
    user = ResidentFactory()
    support_add(project=ProjectFactory(heading=first), user=user)
    support_add(project=ProjectFactory(heading=second), user=user)
    assert Support.objects.filter(user=user).count() == 2


# Valuating


def test_a_valuator_sets_feasibility_and_price_with_explanations():
    project = ProjectFactory(heading=_in(Phase.VALUATING), status=Project.Status.SUBMITTED)
    project_valuate(
        project=project,
        user=assigned_valuator(project),
        feasible=True,
        feasibility_explanation="Kommunen ejer grunden.",
        price=250_000,
        price_explanation="Tilbud fra entreprenør.",
    )
    project.refresh_from_db()
    assert (project.status, project.price) == (Project.Status.FEASIBLE, 250_000)


def test_it_refuses_valuation_by_someone_who_is_not_a_valuator():
    project = ProjectFactory(heading=_in(Phase.VALUATING))
    with pytest.raises(BudgetRefused, match="valuators"):
        project_valuate(
            project=project,
            user=StaffFactory(role=Role.MODERATOR),
            feasible=False,
            feasibility_explanation="Nej",
        )


def test_it_refuses_valuation_by_a_valuator_not_assigned_to_the_project():
    project = ProjectFactory(heading=_in(Phase.VALUATING), status=Project.Status.SUBMITTED)
    assigned_valuator(ProjectFactory(heading=project.heading))  # another project's
    with pytest.raises(BudgetRefused, match="asked to assess this project"):
        project_valuate(
            project=project,
            user=StaffFactory(role=Role.VALUATOR),
            feasible=False,
            feasibility_explanation="Nej",
        )
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED


def test_an_administrator_assesses_any_project():
    project = ProjectFactory(heading=_in(Phase.VALUATING), status=Project.Status.SUBMITTED)
    project_valuate(
        project=project,
        user=StaffFactory(role=Role.ADMINISTRATOR),
        feasible=False,
        feasibility_explanation="Nej",
    )
    project.refresh_from_db()
    assert project.status == Project.Status.UNFEASIBLE


def test_it_refuses_valuation_outside_the_valuating_phase():
    project = ProjectFactory(heading=_in(Phase.SELECTING))
    with pytest.raises(BudgetRefused, match="valuating"):
        project_valuate(
            project=project,
            user=StaffFactory(role=Role.VALUATOR),
            feasible=False,
            feasibility_explanation="Nej",
        )


@pytest.mark.parametrize(
    ("price", "price_explanation", "message"),
    [(None, "x", "needs a price"), (100, " ", "Explain the price")],
)
def test_it_refuses_a_feasible_valuation_without_a_price_or_its_explanation(
    price, price_explanation, message
):
    project = ProjectFactory(heading=_in(Phase.VALUATING))
    with pytest.raises(BudgetRefused, match=message):
        project_valuate(
            project=project,
            user=assigned_valuator(project),
            feasible=True,
            feasibility_explanation="Ja",
            price=price,
            price_explanation=price_explanation,
        )


def test_an_unfeasible_valuation_needs_its_explanation():
    project = ProjectFactory(heading=_in(Phase.VALUATING))
    with pytest.raises(BudgetRefused, match="feasibility"):
        project_valuate(
            project=project,
            user=assigned_valuator(project),
            feasible=False,
            feasibility_explanation="",
        )


# Balloting


def test_a_resident_saves_a_ballot_within_the_amount_and_changes_it():
    heading = _in(Phase.BALLOTING, amount=1000)
    a, b, c = (ProjectFactory(heading=heading, price=400) for _ in range(3))
    user = ResidentFactory()
    ballot_save(heading=heading, user=user, project_ids=[a.pk, b.pk])
    ballot_save(heading=heading, user=user, project_ids=[c.pk])
    ballot = Ballot.objects.get(heading=heading, user=user)
    assert [line.project_id for line in ballot.lines.all()] == [c.pk]


def test_an_empty_ballot_withdraws_the_vote():
    heading = _in(Phase.BALLOTING)
    user = ResidentFactory()
    ballot_save(heading=heading, user=user, project_ids=[ProjectFactory(heading=heading).pk])
    ballot_save(heading=heading, user=user, project_ids=[])
    assert not Ballot.objects.filter(user=user).exists()


def test_it_refuses_a_ballot_over_the_amount_and_keeps_the_old_one():
    heading = _in(Phase.BALLOTING, amount=1000)
    a, b, c = (ProjectFactory(heading=heading, price=400) for _ in range(3))
    user = ResidentFactory()
    ballot_save(heading=heading, user=user, project_ids=[a.pk])
    with pytest.raises(BudgetRefused, match=r"more than the 1\.000"):
        ballot_save(heading=heading, user=user, project_ids=[a.pk, b.pk, c.pk])
    assert list(Ballot.objects.get(user=user).lines.values_list("project_id", flat=True)) == [a.pk]


def test_it_refuses_a_project_of_another_heading():
    heading = _in(Phase.BALLOTING)
    other = ProjectFactory(heading=HeadingFactory(group=heading.group))
    with pytest.raises(BudgetRefused, match="another heading"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[other.pk])


def test_it_refuses_a_project_not_on_the_ballot():
    heading = _in(Phase.BALLOTING)
    project = ProjectFactory(heading=heading, status=Project.Status.UNFEASIBLE)
    with pytest.raises(BudgetRefused, match="not on the ballot"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])


def test_it_refuses_a_project_that_does_not_exist():
    heading = _in(Phase.BALLOTING)
    with pytest.raises(BudgetRefused, match="does not exist"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[987654])


@pytest.mark.parametrize("phase", [Phase.SELECTING, Phase.REVIEWING_BALLOTS, Phase.FINISHED])
def test_it_refuses_a_ballot_outside_the_balloting_phase(phase):
    heading = _in(phase)
    project = ProjectFactory(heading=heading)
    with pytest.raises(BudgetRefused, match="while the vote is open"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])


def test_it_refuses_a_ballot_from_a_citizen_not_verified_as_resident():
    heading = _in(Phase.BALLOTING)
    project = ProjectFactory(heading=heading)
    with pytest.raises(BudgetRefused, match="verified residents"):
        ballot_save(heading=heading, user=UserFactory(), project_ids=[project.pk])


def test_it_refuses_a_ballot_in_a_second_heading_of_the_same_group():
    first = _in(Phase.BALLOTING)
    second = HeadingFactory(group=first.group)
    user = ResidentFactory()
    ballot_save(heading=first, user=user, project_ids=[ProjectFactory(heading=first).pk])
    with pytest.raises(BudgetRefused, match="vote in at most 1"):
        ballot_save(heading=second, user=user, project_ids=[ProjectFactory(heading=second).pk])


def test_headings_of_different_groups_each_take_a_ballot():
    budget = BudgetFactory()
    city = HeadingFactory(group=GroupFactory(budget=budget))
    district = HeadingFactory(group=GroupFactory(budget=budget))
    user = ResidentFactory()
    ballot_save(heading=city, user=user, project_ids=[ProjectFactory(heading=city).pk])
    ballot_save(heading=district, user=user, project_ids=[ProjectFactory(heading=district).pk])
    assert Ballot.objects.filter(user=user).count() == 2


def test_one_ballot_per_person_and_heading_is_a_database_constraint():
    heading = _in(Phase.BALLOTING)
    user = ResidentFactory()
    Ballot.objects.create(heading=heading, user=user)
    with pytest.raises(IntegrityError):
        Ballot.objects.create(heading=heading, user=user)


# Finishing


def _vote(heading, projects, *choices):
    for choice in choices:
        ballot_save(
            heading=heading, user=ResidentFactory(), project_ids=[projects[i].pk for i in choice]
        )


def test_finishing_counts_each_heading_by_equal_shares_and_explains_it():
    heading = _in(Phase.BALLOTING, amount=1000, group__budget__rule=Rule.MES_COST_ADD1)
    projects = [ProjectFactory(heading=heading, price=p) for p in (600, 400, 500)]
    # Three voters like the first two; two like only the third.
    _vote(heading, projects, (0, 1), (0, 1), (0, 1), (2,), (2,))
    count_and_publish(heading.group.budget)
    result = HeadingResult.objects.get(heading=heading)
    heading.group.budget.refresh_from_db()
    assert heading.group.budget.phase == Phase.FINISHED
    assert result.voters == 5
    assert set(result.winners) <= {p.pk for p in projects}
    assert result.cost <= 1000
    verdicts = result.explanation["verdicts"]
    assert set(verdicts) == {str(p.pk) for p in projects}
    for project in projects:
        project.refresh_from_db()
        won = project.pk in result.winners
        assert project.status == (Project.Status.WINNER if won else Project.Status.NOT_WINNER)


def test_equal_shares_and_greedy_differ_where_a_majority_would_take_everything():
    def run(rule):
        heading = _in(Phase.BALLOTING, amount=1000, group__budget__rule=rule)
        projects = [ProjectFactory(heading=heading, price=500) for _ in range(3)]
        # Three voters want projects 0 and 1; two want project 2.
        _vote(heading, projects, (0, 1), (0, 1), (0, 1), (2,), (2,))
        count_and_publish(heading.group.budget)
        winners = HeadingResult.objects.get(heading=heading).winners
        return {projects.index(next(p for p in projects if p.pk == w)) for w in winners}

    assert run(Rule.GREEDY) == {0, 1}
    assert run(Rule.MES_COST_ADD1) == {0, 2}


@pytest.mark.parametrize("phase", [Phase.SELECTING, Phase.BALLOTING])
def test_it_refuses_to_count_a_budget_before_its_vote_has_closed(phase):
    from samskab.budgets.tallying import tally_request

    budget = BudgetFactory(phase=phase)
    with pytest.raises(BudgetRefused, match="Close the vote first"):
        tally_request(budget=budget, user=StaffFactory(role=Role.EDITOR))
    assert not budget.tallies.exists()
