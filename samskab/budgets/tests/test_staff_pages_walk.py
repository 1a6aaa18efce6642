"""The staff walk's budget findings: the phases page keeps its dates, the ballot selection's
checkboxes are visible and bound, and the admin's pickers name the budget."""

import re

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, staff_sign_in
from samskab.budgets.models import BudgetPhase, Phase, Project
from samskab.budgets.tests.factories import BudgetFactory, HeadingFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _form_values(page: str) -> dict[str, str]:
    """What a browser would send back: every input's value and every textarea's text, and
    the chosen option of each select."""
    form = page.split('name="phase"', 1)[0].rsplit("<form", 1)[1] + page.split('name="phase"', 1)[1]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name and "csrf" not in name.group(1):
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\s*(.*?)</textarea>', form, re.S
    ):
        data[name] = text
    data["phase"] = re.search(r'<option value="(\w+)"[^>]*selected', form).group(1)
    return data


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_phases_page_shows_its_dates_as_the_date_input_wants_and_saving_keeps_them(
    client, language
):
    budget = BudgetFactory(phase=Phase.VALUATING)
    BudgetPhase.objects.create(
        budget=budget, phase=Phase.VALUATING, starts_on="2026-12-10", ends_on="2026-12-20"
    )
    client.cookies["django_language"] = language
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    url = reverse("budgets:staff_phases", args=[budget.pk])
    page = client.get(url).content.decode()
    # <input type="date"> takes only yyyy-mm-dd; "10.12.2026" showed as an empty field.
    assert 'type="date" name="valuating-starts_on" value="2026-12-10"' in page
    assert 'value="10.12.2026"' not in page

    # Saving the page as shown (say, to change only the phase) keeps the dates.
    data = _form_values(page)
    data["phase"] = Phase.BALLOTING
    assert client.post(url, data).status_code == 302
    row = BudgetPhase.objects.get(budget=budget, phase=Phase.VALUATING)
    assert (str(row.starts_on), str(row.ends_on)) == ("2026-12-10", "2026-12-20")


def test_after_a_refusal_the_phases_page_still_shows_the_typed_dates(client):
    budget = BudgetFactory(phase=Phase.ACCEPTING)
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    url = reverse("budgets:staff_phases", args=[budget.pk])
    data = _form_values(client.get(url).content.decode())
    data.update({"selecting-starts_on": "2027-03-31", "selecting-ends_on": "2027-03-01"})
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="2027-03-31"' in page and 'value="2027-03-01"' in page


def test_each_project_has_a_visible_checkbox_bound_to_its_label_and_bulk_choices(client):
    budget = BudgetFactory(phase=Phase.VALUATING)
    north, south = (HeadingFactory(group__budget=budget, name=n) for n in ("Nord", "Syd"))
    HeadingFactory(group=north.group, name="Tom")  # no projects: no "all in" button
    projects = [
        ProjectFactory(heading=north, status=Project.Status.FEASIBLE, title="Bænke"),
        ProjectFactory(heading=south, status=Project.Status.FEASIBLE, title="Sti"),
    ]
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    url = reverse("budgets:staff_projects", args=[budget.pk])
    page = client.get(url).content.decode()
    assert "table--selectable" in page
    for project in projects:
        # DKFDS draws the box from the label that follows the input in .form-group-checkbox.
        box = (
            f'<div class="form-group-checkbox"><input type="checkbox" class="form-checkbox" '
            f'name="project" value="{project.pk}" id="choose-{project.pk}" '
            f'data-heading="{project.heading_id}"><label for="choose-{project.pk}">'
        )
        assert box in page
    assert f'data-choose-heading="{north.pk}"' in page
    assert f'data-choose-heading="{south.pk}"' in page
    assert "All in Tom" not in page

    # The box ticked is the project put on the ballot, and no other.
    client.post(url, {"action": "on_ballot", "project": [projects[1].pk]})
    statuses = {p.title: p.status for p in Project.objects.filter(pk__in=[p.pk for p in projects])}
    assert statuses == {"Bænke": Project.Status.FEASIBLE, "Sti": Project.Status.ON_BALLOT}


def test_the_admin_heading_picker_names_the_budget(client):
    first = HeadingFactory(group__budget__title="Borgerbudget 2027", name="Midtby")
    HeadingFactory(group__budget__title="Borgerbudget 2028", name="Midtby")
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    page = client.get(reverse("admin:budgets_project_add")).content.decode()
    assert (
        f'<option value="{first.pk}">Borgerbudget 2027 › {first.group.name} › Midtby</option>'
        in page
    )
    assert "Borgerbudget 2028 ›" in page
