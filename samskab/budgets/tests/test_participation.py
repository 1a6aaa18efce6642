"""Participation statistics: never fewer than five people in a cell."""

from collections import Counter
from datetime import date

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.budgets.models import Phase
from samskab.budgets.participation import (
    Cell,
    age_band,
    heading_participation,
    suppress,
)
from samskab.budgets.selectors import budget_participation
from samskab.budgets.services import ballot_save, paper_ballot_enter
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
    count_and_publish,
)

DAY = date(2027, 6, 1)


def test_age_bands():
    assert age_band(date(2010, 6, 2), DAY) == "0-17"  # 16, a day short of 17
    assert age_band(date(2009, 6, 1), DAY) == "18-29"
    assert age_band(date(1952, 1, 1), DAY) == "75+"
    assert age_band(None, DAY) == ""


def test_small_cells_are_suppressed_and_so_is_the_next_smallest():
    cells = suppress(Counter({"8000": 12, "8200": 3, "8210": 7, "": 9}))
    assert cells == [
        Cell("8000", 12),
        Cell("8200", None),
        Cell("8210", None),  # else 31 - 12 - 9 - 7 would give 8200's 3 away
        Cell("", 9),
    ]
    assert suppress(Counter({"a": 2, "b": 1, "c": 9})) == [
        Cell("a", None),
        Cell("b", None),
        Cell("c", 9),
    ]


def test_fewer_than_five_ballots_show_no_breakdown():
    stats = heading_participation([("web", None, None)] * 4, DAY)
    assert (stats.total, stats.sources, stats.any_suppressed) == (None, [], True)


@pytest.mark.django_db
def test_the_budgets_participation_joins_ballots_to_the_census():
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    officer = StaffFactory(role=Role.POLL_OFFICER)
    for i in range(6):
        user = ResidentFactory()
        census_person(f"01018{i:05d}", born=date(1990, 1, 1), postal_code="8000", user=user)
        ballot_save(heading=heading, user=user, project_ids=[project.pk])
    for i in range(2):
        census_person(f"02029{i:05d}", born=date(1950, 1, 1), postal_code="8200")
        paper_ballot_enter(
            heading=heading, officer=officer, identifier=f"02029{i:05d}", project_ids=[project.pk]
        )
    ((shown, stats),) = budget_participation(heading.group.budget, day=DAY)
    assert shown == heading
    assert stats.total == 8
    assert stats.sources == [Cell("paper", None), Cell("web", None)]  # 2, and 6 would give it
    assert [c.count for c in stats.districts] == [None, None]
    assert stats.any_suppressed


@pytest.mark.django_db
def test_the_results_page_shows_participation_and_says_what_is_hidden(client):
    heading = HeadingFactory(group__budget__phase=Phase.BALLOTING)
    project = ProjectFactory(heading=heading)
    for _ in range(3):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    count_and_publish(heading.group.budget)
    text = client.get(f"/borgerbudget/{heading.group.budget_id}/resultater/").content.decode()
    assert "Participation" in text
    assert "fewer than 5" in text


@pytest.mark.django_db
def test_staff_see_participation_during_the_vote_and_citizens_do_not(client):
    heading = HeadingFactory()
    url = f"/borgerbudget/{heading.group.budget_id}/deltagelse/"
    client.force_login(ResidentFactory())
    assert client.get(url).status_code == 403
    editor = StaffFactory(role=Role.EDITOR)
    client.force_login(editor)
    session = client.session
    session["samskab_staff_mfa"] = editor.pk
    session.save()
    assert client.get(url).status_code == 200


def test_turnout_is_a_share_of_the_census_and_hides_small_counts():
    from samskab.budgets.participation import turnout_percent

    assert turnout_percent(6, 200) == 3.0
    assert turnout_percent(4, 200) is None  # fewer than five people
    assert turnout_percent(None, 200) is None
    assert turnout_percent(6, 0) is None  # no census


def staff_page(client, url):
    editor = StaffFactory(role=Role.EDITOR)
    client.force_login(editor)
    session = client.session
    session["samskab_staff_mfa"] = editor.pk
    session.save()
    return client.get(url).content.decode()


@pytest.mark.django_db
def test_staff_see_turnout_as_a_share_of_the_census(client):
    # Review finding 26: counts, but no turnout against the census.
    heading = HeadingFactory(name="Hele kommunen")
    project = ProjectFactory(heading=heading)
    for i in range(6):
        user = ResidentFactory()
        census_person(f"03038{i:05d}", born=date(1990, 1, 1), user=user)
        ballot_save(heading=heading, user=user, project_ids=[project.pk])
    for i in range(194):
        census_person(f"04048{i:05d}", born=date(1990, 1, 1))
    page = staff_page(client, f"/borgerbudget/{heading.group.budget_id}/deltagelse/")
    assert "6 of the 200 residents in the census have voted: 3.0 %." in page
    assert '<th scope="row">Hele kommunen</th><td>3.0 %</td>' in page


@pytest.mark.django_db
def test_ballots_of_people_not_in_the_census_make_no_turnout_over_all_of_it(client):
    # Found walking the demo: 100 ballots against a census of 3 gave "3333.3 %".
    from samskab.budgets.models import Ballot

    heading = HeadingFactory(name="Hele kommunen")
    project = ProjectFactory(heading=heading)
    for i in range(6):
        user = ResidentFactory()
        census_person(f"03038{i:05d}", born=date(1990, 1, 1), user=user)
        ballot_save(heading=heading, user=user, project_ids=[project.pk])
    for i in range(4):
        census_person(f"04048{i:05d}", born=date(1990, 1, 1))
    # Ballots of people the census no longer (or never) held.
    for i in range(20):
        user = ResidentFactory()
        ballot_save(heading=heading, user=user, project_ids=[project.pk])
        Ballot.objects.filter(user=user).update(person=f"gone-{i}")
    page = staff_page(client, f"/borgerbudget/{heading.group.budget_id}/deltagelse/")
    assert "6 of the 10 residents in the census have voted: 60.0 %." in page
    assert '<th scope="row">Hele kommunen</th><td>60.0 %</td>' in page


@pytest.mark.django_db
def test_turnout_without_a_census_says_why_it_is_missing(client):
    heading = HeadingFactory()
    page = staff_page(client, f"/borgerbudget/{heading.group.budget_id}/deltagelse/")
    assert "No census is imported" in page
