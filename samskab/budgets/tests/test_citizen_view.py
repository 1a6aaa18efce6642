"""What a citizen sees of a budget: when each phase closes, and their own ballot."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.models import BudgetPhase, Phase, Project
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _voting(closes=date(2027, 3, 31)):
    heading = HeadingFactory(amount=300_000)
    BudgetPhase.objects.create(
        budget=heading.group.budget,
        phase=Phase.BALLOTING,
        starts_on=date(2027, 3, 1),
        ends_on=closes,
    )
    return heading


def _page(client, url):
    return client.get(url).content.decode()


@time_machine.travel("2027-03-20 12:00 +01:00", tick=False)
def test_the_budget_and_heading_pages_count_down_to_the_votes_close(client):
    heading = _voting()
    for url in (heading.group.budget.get_absolute_url(), heading.get_absolute_url()):
        page = _page(client, url)
        assert "March 1, 2027 – March 31, 2027" in page
        assert "The vote closes on March 31, 2027: 11 days left." in page


@time_machine.travel("2027-03-31 09:00 +02:00", tick=False)
def test_on_the_last_day_it_says_today(client):
    heading = _voting()
    assert "The vote closes today" in _page(client, heading.get_absolute_url())


def test_my_ballot_shows_on_the_budget_heading_and_project_pages(client):
    heading = _voting()
    chosen = ProjectFactory(heading=heading, price=100_000, status=Project.Status.ON_BALLOT)
    other = ProjectFactory(heading=heading, price=50_000, status=Project.Status.ON_BALLOT)
    voter = ResidentFactory()
    ballot_save(heading=heading, user=voter, project_ids=[chosen.pk])
    client.force_login(voter)

    budget_page = _page(client, heading.group.budget.get_absolute_url())
    assert "Your ballot: 1 project, " in budget_page and "Change your ballot" in budget_page
    heading_page = _page(client, heading.get_absolute_url())
    assert "Your ballot has 1 project." in heading_page
    assert heading_page.count("On your ballot") == 1
    assert "This project is on your ballot." in _page(client, chosen.get_absolute_url())
    other_page = _page(client, other.get_absolute_url())
    assert "This project is not on your ballot." in other_page
    assert "Add to your ballot" in other_page


def test_adding_from_the_project_page_keeps_the_rest_of_the_ballot(client):
    heading = _voting()
    first = ProjectFactory(heading=heading, price=100_000, status=Project.Status.ON_BALLOT)
    second = ProjectFactory(heading=heading, price=50_000, status=Project.Status.ON_BALLOT)
    voter = ResidentFactory()
    ballot_save(heading=heading, user=voter, project_ids=[first.pk])
    client.force_login(voter)
    page = _page(client, second.get_absolute_url())
    form = page.split('aria-labelledby="my-ballot-title"')[1].split("</form>")[0]
    values = [int(v) for v in __import__("re").findall(r'name="project" value="(\d+)"', form)]
    response = client.post(
        reverse("budgets:ballot", args=[heading.group.budget_id, heading.pk]),
        {"project": values},
    )
    assert response.status_code == 302
    assert set(heading.ballots.get(user=voter).lines.values_list("project_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_the_unverified_notice_links_to_verification(client):
    heading = _voting()
    project = ProjectFactory(heading=heading, price=1, status=Project.Status.ON_BALLOT)
    client.force_login(UserFactory())
    verify = reverse("accounts:residence_verify")
    ballot = _page(client, reverse("budgets:ballot", args=[heading.group.budget_id, heading.pk]))
    assert f'<a href="{verify}">Verify your residence</a>' in ballot
    assert f'<a href="{verify}">Verify your residence to vote.</a>' in _page(
        client, project.get_absolute_url()
    )


def test_my_points_ballot_shows_its_points_on_every_page(client):
    from samskab.budgets.models import BallotStyle

    heading = _voting()
    heading.group.ballot_style = BallotStyle.CUMULATIVE
    heading.group.points_total = 10
    heading.group.save()
    park = ProjectFactory(heading=heading, price=100_000, status=Project.Status.ON_BALLOT)
    trees = ProjectFactory(heading=heading, price=50_000, status=Project.Status.ON_BALLOT)
    other = ProjectFactory(heading=heading, price=70_000, status=Project.Status.ON_BALLOT)
    voter = ResidentFactory()
    ballot_save(heading=heading, user=voter, points={park.pk: 6, trees.pk: 1})
    client.force_login(voter)

    assert "Your ballot: 7 of 10 points given" in _page(
        client, heading.group.budget.get_absolute_url()
    )
    heading_page = _page(client, heading.get_absolute_url())
    assert "You have given 7 of your 10 points." in heading_page
    assert "Your ballot: 6 points" in heading_page and "Your ballot: 1 point<" in heading_page
    park_page = _page(client, park.get_absolute_url())
    assert "You give this project 6 points." in park_page
    # No add or remove form: points are shared out on the whole ballot.
    assert "Add to your ballot" not in park_page and "Give points on your ballot" in park_page
    other_page = _page(client, other.get_absolute_url())
    assert "You give this project no points." in other_page
    assert "Add to your ballot" not in other_page


def test_my_ranking_shows_its_places_on_every_page(client):
    from samskab.budgets.models import BallotStyle

    heading = _voting()
    heading.group.ballot_style = BallotStyle.RANKED
    heading.group.save()
    first, second, other = (
        ProjectFactory(heading=heading, price=p, status=Project.Status.ON_BALLOT)
        for p in (100_000, 50_000, 70_000)
    )
    voter = ResidentFactory()
    ballot_save(heading=heading, user=voter, project_ids=[second.pk, first.pk])
    client.force_login(voter)

    assert "Your ballot: 2 projects ranked" in _page(
        client, heading.group.budget.get_absolute_url()
    )
    heading_page = _page(client, heading.get_absolute_url())
    assert "Your ranking has 2 projects." in heading_page
    assert "Number 1 on your ranking" in heading_page
    assert "Number 2 on your ranking" in heading_page
    assert "This project is number 2 of 2 on your ranking." in _page(
        client, first.get_absolute_url()
    )
    other_page = _page(client, other.get_absolute_url())
    assert "This project is not on your ranking." in other_page
    assert "Add to your ballot" not in other_page and "Rank projects on your ballot" in other_page


def test_the_one_area_hint_shows_only_while_citizens_can_take_part(client):
    heading = HeadingFactory(group__max_headings_supported=1)
    budget = heading.group.budget
    for phase, shown in ((Phase.SELECTING, True), (Phase.BALLOTING, True), (Phase.FINISHED, False)):
        budget.phase = phase
        budget.save(update_fields=["phase"])
        page = _page(client, budget.get_absolute_url())
        assert ("You can take part in one of these areas." in page) is shown, phase
