"""Proposing a project and assessing one, through the web forms."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.budgets.models import Phase, Project
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, assigned_valuator

pytestmark = pytest.mark.django_db


def test_a_citizen_proposes_a_project_while_projects_are_accepted(client):
    heading = HeadingFactory(group__budget__phase=Phase.ACCEPTING)
    user = UserFactory()
    client.force_login(user)
    url = reverse("budgets:project_new", args=[heading.group.budget_id])
    assert "Propose a project" in client.get(url).content.decode()
    response = client.post(
        url, {"heading": heading.pk, "title": "Bænke", "description": "Ved **søen**"}
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert (project.author, project.heading, project.status) == (
        user,
        heading,
        Project.Status.SUBMITTED,
    )


def test_it_refuses_a_proposal_with_a_heading_of_another_budget(client):
    heading = HeadingFactory(group__budget__phase=Phase.ACCEPTING)
    other = HeadingFactory(group__budget__phase=Phase.ACCEPTING)
    client.force_login(UserFactory())
    response = client.post(
        reverse("budgets:project_new", args=[heading.group.budget_id]),
        {"heading": other.pk, "title": "x", "description": "y"},
    )
    assert response.status_code == 400 and not Project.objects.exists()


def test_proposing_is_closed_outside_the_accepting_phase(client):
    heading = HeadingFactory(group__budget__phase=Phase.SELECTING)
    client.force_login(UserFactory())
    url = reverse("budgets:project_new", args=[heading.group.budget_id])
    response = client.get(url)
    assert response.status_code == 403
    assert "Projects are not accepted now." in response.content.decode()


def test_an_anonymous_visitor_is_asked_to_log_in_before_proposing(client):
    heading = HeadingFactory(group__budget__phase=Phase.ACCEPTING)
    response = client.get(reverse("budgets:project_new", args=[heading.group.budget_id]))
    assert response.status_code == 302 and "login" in response["Location"]


def _staff(role):
    # Staff pages ask for a second factor first; give them an authenticator app.
    user = StaffFactory(role=role)
    with_totp(user)
    return user


def _valuation(project):
    return reverse("budgets:valuation", args=[project.pk])


def test_a_valuator_assesses_a_project_on_the_web(client):
    project = ProjectFactory(
        heading__group__budget__phase=Phase.VALUATING, status=Project.Status.SUBMITTED, price=None
    )
    client.force_login(assigned_valuator(project, _staff(Role.VALUATOR)))
    assert "Assess the project" in client.get(project.get_absolute_url()).content.decode()
    response = client.post(
        _valuation(project),
        {
            "feasible": "1",
            "feasibility_explanation": "Grunden er kommunens.",
            "price": "120000",
            "price_explanation": "Tilbud.",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.price) == (Project.Status.FEASIBLE, 120_000)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Grunden er kommunens." in page and "120.000 DKK" in page


def test_a_feasible_assessment_without_a_price_is_refused_with_a_message(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.VALUATING, price=None)
    client.force_login(assigned_valuator(project, _staff(Role.VALUATOR)))
    response = client.post(_valuation(project), {"feasible": "1", "feasibility_explanation": "Ja"})
    assert response.status_code == 400 and "needs a price" in response.content.decode()


@pytest.mark.parametrize("role", [Role.MODERATOR, None])
def test_it_refuses_assessment_by_others_than_valuators(client, role):
    project = ProjectFactory(heading__group__budget__phase=Phase.VALUATING)
    client.force_login(_staff(role) if role else UserFactory())
    assert client.get(_valuation(project)).status_code == 403


def test_it_refuses_assessment_outside_the_valuating_phase(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.SELECTING)
    client.force_login(assigned_valuator(project, _staff(Role.VALUATOR)))
    # The assigned valuator reads the page (and its notes), without the assessment's form.
    page = client.get(_valuation(project)).content.decode()
    assert "Save the assessment" not in page
    assert "Projects are assessed in the phase “Valuating projects”." in page
    response = client.post(_valuation(project), {"feasible": "0", "feasibility_explanation": "Nej"})
    assert response.status_code == 403
