"""The poll officers' pages: entering paper ballots, and who may see them."""

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.budgets.models import Ballot, BallotConflict
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = StaffFactory(role=Role.POLL_OFFICER)
    client.force_login(user)
    session = client.session
    session["samskab_staff_mfa"] = user.pk  # as after the second factor
    session.save()
    return user


def _url(heading):
    return f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/papirstemmeseddel/"


def test_a_poll_officer_enters_a_paper_ballot(client, officer):
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    census_person("0101801234")
    response = client.post(
        _url(heading), {"identifier": "0101801234", "project": [project.pk]}, follow=True
    )
    assert "The paper ballot is entered." in response.content.decode()
    assert Ballot.objects.get().entered_by == officer


def test_a_refusal_keeps_the_form_and_says_why(client, officer):
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    response = client.post(_url(heading), {"identifier": "123", "project": [project.pk]})
    assert response.status_code == 400
    assert "Nobody with this identifier is in the census" in response.content.decode()


def test_an_over_budget_ballot_is_explained_to_the_officer_not_the_voter(client, officer):
    # Staff walk finding 34: "Dine valg koster…" on the page the poll officer types into.
    heading = HeadingFactory(amount=1000)
    projects = [ProjectFactory(heading=heading, price=600) for _ in range(2)]
    census_person("0101801234")

    response = client.post(
        _url(heading),
        {"identifier": "0101801234", "project": [p.pk for p in projects]},
        HTTP_ACCEPT_LANGUAGE="da",
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Stemmesedlens valg koster" in page
    assert "Dine valg" not in page


def test_the_overview_shows_counts_and_the_conflict_log(client, officer):
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    user = ResidentFactory()
    census_person("0101801234", user=user)
    ballot_save(heading=heading, user=user, project_ids=[project.pk])
    client.post(_url(heading), {"identifier": "0101801234", "project": [project.pk]})
    assert BallotConflict.objects.count() == 1
    page = client.get(f"/borgerbudget/{heading.group.budget_id}/papirstemmesedler/")
    assert page.status_code == 200
    assert "People who voted both on the web and on paper" in page.content.decode()
    assert "Paper" in page.content.decode()


@pytest.mark.parametrize("path", ["papirstemmesedler/", "omraade/{heading}/papirstemmeseddel/"])
def test_citizens_may_not_open_the_poll_officers_pages(client, path):
    heading = HeadingFactory()
    client.force_login(ResidentFactory())
    url = f"/borgerbudget/{heading.group.budget_id}/" + path.format(heading=heading.pk)
    assert client.get(url).status_code == 403


def test_a_citizen_who_voted_on_paper_is_told_so_on_the_ballot_page(client):
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    user = ResidentFactory()
    census_person("0101801234", user=user)
    from samskab.budgets.services import paper_ballot_enter

    paper_ballot_enter(
        heading=heading,
        officer=StaffFactory(role=Role.POLL_OFFICER),
        identifier="0101801234",
        project_ids=[project.pk],
    )
    client.force_login(user)
    page = client.get(f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/stemmeseddel/")
    text = page.content.decode()
    assert "Your paper ballot counts in this heading." in text
    assert "Save my ballot" not in text


def test_an_approval_ballot_page_counts_projects(client):
    heading = HeadingFactory(group__ballot_style="approval", group__max_approvals=2)
    ProjectFactory(heading=heading)
    client.force_login(ResidentFactory())
    page = client.get(f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/stemmeseddel/")
    text = page.content.decode()
    assert 'data-style="approval"' in text
    assert "Chosen: 0 of at most 2 projects. You may choose 2 more." in text


def test_the_budget_page_links_officers_to_their_pages(client, officer):
    heading = HeadingFactory()
    text = client.get(heading.group.budget.get_absolute_url()).content.decode()
    assert "papirstemmesedler/" in text and "deltagelse/" in text
    client.force_login(ResidentFactory())
    assert (
        "papirstemmesedler/"
        not in client.get(heading.group.budget.get_absolute_url()).content.decode()
    )
