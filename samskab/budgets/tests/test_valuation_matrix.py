"""Who may do what in a project's valuation, in every phase: each role x phase is one test
that asks the rule and then tries each action through the pages, as that person would.

Actions: open the valuation page, save the assessment, add an internal note, read the
internal notes, assign a valuator (on the staff list)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, staff_sign_in
from samskab.budgets.models import Phase, Project, ValuationNote, ValuatorAssignment
from samskab.budgets.rules import ASSIGN_PHASES
from samskab.budgets.tests.factories import (
    BudgetFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    assigned_valuator,
)

# Role x phase x action through the rules: plain queries, the same on either database, so
# once (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass(on="postgres")]

ROLES = [
    "anonymous",
    "citizen",
    "valuator_assigned",
    "valuator_not_assigned",
    "editor",
    "administrator",
]
ACTIONS = ["view", "assess", "note", "read_notes", "assign"]
NOTE = "INTERN-NOTE-FRA-REDAKTØREN"


def expected(role: str, phase: Phase, action: str) -> bool:
    """The matrix, as the issue asks for it."""
    staff_of_the_project = role in ("valuator_assigned", "editor", "administrator")
    if action in ("view", "note", "read_notes"):
        return staff_of_the_project
    if action == "assess":
        return role in ("valuator_assigned", "administrator") and phase == Phase.VALUATING
    if action == "assign":
        return role in ("editor", "administrator") and phase in ASSIGN_PHASES
    raise AssertionError(action)


PERMISSIONS = {
    "view": "budgets.view_valuation",
    "assess": "budgets.valuate_project",
    "note": "budgets.write_valuation_note",
    "read_notes": "budgets.read_valuation_notes",
    "assign": "budgets.assign_valuators",
}


def _person(role: str, project: Project):
    if role == "anonymous":
        return AnonymousUser()
    if role == "citizen":
        return ResidentFactory()
    if role == "valuator_assigned":
        return assigned_valuator(project)
    if role == "valuator_not_assigned":
        other = ProjectFactory(heading=project.heading, title="Et andet projekt")
        return assigned_valuator(other)
    return StaffFactory(role=Role.EDITOR if role == "editor" else Role.ADMINISTRATOR)


def _refused(response, role: str) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and "/accounts/login/" in response["Location"]
    return response.status_code == 403


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what_in_the_valuation(client, role, phase):
    budget = BudgetFactory(phase=phase)
    project = ProjectFactory(
        heading=HeadingFactory(group__budget=budget),
        title="Bænke ved søen",
        status=Project.Status.SUBMITTED,
        price=None,
    )
    ValuationNote.objects.create(project=project, author=StaffFactory(), text=NOTE)
    newcomer = StaffFactory(role=Role.VALUATOR, email="ny@kommune.example")
    person = _person(role, project)
    for action in ACTIONS:
        obj = budget if action == "assign" else project
        assert person.has_perm(PERMISSIONS[action], obj) == expected(role, phase, action), action
    if role == "citizen":
        client.force_login(person)
    elif role != "anonymous":
        staff_sign_in(client, person)
    page_url = reverse("budgets:valuation", args=[project.pk])

    # Open the page, and read the notes on it.
    response = client.get(page_url)
    if expected(role, phase, "view"):
        assert response.status_code == 200
    else:
        assert _refused(response, role)
    assert (NOTE in response.content.decode()) == expected(role, phase, "read_notes")

    # Add an internal note.
    response = client.post(page_url, {"action": "note", "text": "Ny note."})
    if expected(role, phase, "note"):
        assert response.status_code == 302
    else:
        assert _refused(response, role)
    assert ValuationNote.objects.filter(text="Ny note.").exists() == expected(role, phase, "note")

    # Assign a valuator from the budget's staff list.
    response = client.post(
        reverse("budgets:staff_projects", args=[budget.pk]),
        {"action": "assign", "valuator": newcomer.pk, "project": [project.pk]},
    )
    if expected(role, phase, "assign"):
        assert response.status_code == 302
    else:
        assert _refused(response, role)
    assigned = ValuatorAssignment.objects.filter(valuator=newcomer, project=project).exists()
    assert assigned == expected(role, phase, "assign")

    # Save the assessment.
    response = client.post(
        page_url, {"action": "assess", "feasible": "0", "feasibility_explanation": "Privat grund."}
    )
    if expected(role, phase, "assess"):
        assert response.status_code == 302
    else:
        assert _refused(response, role)
    project.refresh_from_db()
    assessed = project.status == Project.Status.UNFEASIBLE
    assert assessed == expected(role, phase, "assess")
