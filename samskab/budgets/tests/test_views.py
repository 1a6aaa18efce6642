"""The budget pages as a citizen uses them, refusals included."""

import pytest
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.models import Ballot, Phase, Rule
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    count_and_publish,
)
from samskab.supports.models import Support

pytestmark = pytest.mark.django_db


def _ballot_url(heading):
    return reverse("budgets:ballot", args=[heading.group.budget_id, heading.pk])


def test_the_list_shows_published_budgets_only(client):
    shown = HeadingFactory(group__budget__title="Borgerbudget 2027").group.budget
    HeadingFactory(group__budget__title="Hemmeligt", group__budget__is_published=False)
    page = client.get(reverse("budgets:list")).content.decode()
    assert shown.title in page and "Hemmeligt" not in page


def test_the_budget_page_shows_the_phase_and_the_headings(client):
    heading = HeadingFactory(name="Midtbyen", amount=300_000)
    page = client.get(heading.group.budget.get_absolute_url()).content.decode()
    assert "Midtbyen" in page and "300.000 DKK" in page and "Voting" in page


def test_an_unpublished_budget_is_not_found(client):
    heading = HeadingFactory(group__budget__is_published=False)
    assert client.get(heading.group.budget.get_absolute_url()).status_code == 404
    assert client.get(heading.get_absolute_url()).status_code == 404


def test_the_heading_page_lists_its_projects_with_prices(client):
    project = ProjectFactory(title="Shelter i skoven", price=125_000)
    page = client.get(project.heading.get_absolute_url()).content.decode()
    assert "Shelter i skoven" in page and "125.000 DKK" in page


def test_the_project_page_shows_its_description_and_comments(client):
    project = ProjectFactory(description="**Bænke** ved søen")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<strong>Bænke</strong>" in page
    assert "comment" in page.lower()


def test_a_resident_supports_a_project_with_the_button(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.SELECTING)
    user = ResidentFactory()
    client.force_login(user)
    assert "Support this project" in client.get(project.get_absolute_url()).content.decode()
    response = client.post(reverse("budgets:support", args=[project.pk]))
    assert response.status_code == 302
    assert Support.objects.filter(project=project, user=user).exists()


def test_it_refuses_support_from_a_citizen_who_is_not_a_verified_resident(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.SELECTING)
    client.force_login(UserFactory())
    assert client.post(reverse("budgets:support", args=[project.pk])).status_code == 403
    assert not Support.objects.exists()


def test_it_sends_an_anonymous_supporter_to_log_in(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.SELECTING)
    response = client.post(reverse("budgets:support", args=[project.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_ballot_page_lists_the_projects_as_checkboxes(client):
    project = ProjectFactory(title="Legeplads", price=200_000)
    client.force_login(ResidentFactory())
    page = client.get(_ballot_url(project.heading)).content.decode()
    assert f'name="project" value="{project.pk}"' in page
    assert 'aria-live="polite"' in page and "ballot.js" in page


def test_a_resident_saves_and_changes_a_ballot_without_javascript(client):
    heading = HeadingFactory(amount=1000)
    a, b = ProjectFactory(heading=heading, price=300), ProjectFactory(heading=heading, price=600)
    user = ResidentFactory()
    client.force_login(user)
    response = client.post(_ballot_url(heading), {"project": [a.pk, b.pk]}, follow=True)
    page = response.content.decode()
    assert "Your ballot is saved" in page
    assert "Chosen: 900 of 1.000 DKK. Left: 100 DKK." in page
    client.post(_ballot_url(heading), {"project": [b.pk]})
    lines = Ballot.objects.get(user=user).lines.values_list("project_id", flat=True)
    assert list(lines) == [b.pk]


def test_calculating_the_total_shows_it_without_saving(client):
    heading = HeadingFactory(amount=1000)
    a, b = ProjectFactory(heading=heading, price=700), ProjectFactory(heading=heading, price=600)
    client.force_login(ResidentFactory())
    response = client.post(_ballot_url(heading), {"project": [a.pk, b.pk], "action": "calculate"})
    assert "1.300 of 1.000 DKK. That is 300 DKK too much." in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_refuses_a_ballot_over_the_amount_with_a_clear_message(client):
    heading = HeadingFactory(amount=1000)
    a, b = ProjectFactory(heading=heading, price=700), ProjectFactory(heading=heading, price=600)
    client.force_login(ResidentFactory())
    response = client.post(_ballot_url(heading), {"project": [a.pk, b.pk]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your ballot was not saved" in page and "more than the 1.000" in page
    # The choice stays ticked so the voter can fix it.
    assert page.count("checked") == 2
    assert not Ballot.objects.exists()


def test_it_refuses_a_ballot_from_a_citizen_who_is_not_a_verified_resident(client):
    project = ProjectFactory()
    client.force_login(UserFactory())
    page = client.get(_ballot_url(project.heading)).content.decode()
    assert "Only verified residents" in page and "disabled" in page
    assert client.post(_ballot_url(project.heading), {"project": [project.pk]}).status_code == 403


def test_it_refuses_a_project_of_another_heading_on_the_ballot_page(client):
    heading = HeadingFactory()
    other = ProjectFactory(heading=HeadingFactory(group__budget=heading.group.budget))
    client.force_login(ResidentFactory())
    response = client.post(_ballot_url(heading), {"project": [other.pk]})
    assert response.status_code == 400 and "another heading" in response.content.decode()


def test_it_refuses_a_malformed_ballot(client):
    heading = HeadingFactory()
    client.force_login(ResidentFactory())
    response = client.post(_ballot_url(heading), {"project": ["x'; DROP"]})
    assert response.status_code == 400 and not Ballot.objects.exists()


def test_the_ballot_page_is_closed_outside_the_vote(client):
    heading = HeadingFactory(group__budget__phase=Phase.SELECTING)
    client.force_login(ResidentFactory())
    response = client.get(_ballot_url(heading))
    assert response.status_code == 403 and "The vote is not open." in response.content.decode()


def test_the_ballot_page_asks_an_anonymous_visitor_to_log_in(client):
    heading = HeadingFactory()
    response = client.get(_ballot_url(heading))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_results_page_shows_winners_and_why_others_lost(client):
    heading = HeadingFactory(amount=1000, group__budget__rule=Rule.MES_COST_ADD1)
    big = [ProjectFactory(heading=heading, title=f"Flertal {i}", price=500) for i in (1, 2)]
    small = ProjectFactory(heading=heading, title="Mindretal", price=500)
    for _ in range(3):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[p.pk for p in big])
    for _ in range(2):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[small.pk])
    count_and_publish(heading.group.budget)
    page = client.get(reverse("budgets:results", args=[heading.group.budget_id])).content.decode()
    assert "Funded in round" in page
    # The majority's second project lost because its voters had spent their shares.
    assert "They had spent their money on projects they also liked" in page
    assert "Flertal 1" in page and "Mindretal" in page


def test_the_results_are_not_shown_before_the_budget_is_finished(client):
    heading = HeadingFactory()
    url = reverse("budgets:results", args=[heading.group.budget_id])
    response = client.get(url)
    assert response.status_code == 403
    assert "The results are not published yet." in response.content.decode()


def test_hostile_html_in_a_project_description_is_not_rendered(client):
    project = ProjectFactory(description="<script>alert(1)</script> ok")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
