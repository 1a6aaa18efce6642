"""Staff finish a budget from the admin: the action counts the vote and publishes results."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.budgets.models import HeadingResult, Phase
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _finish(client, role, budget):
    user = StaffFactory(role=role)
    with_totp(user)
    client.force_login(user)
    return client.post(
        reverse("admin:budgets_budget_changelist"),
        {"action": "finish", "_selected_action": [budget.pk]},
        follow=True,
    )


def test_an_editor_counts_and_finishes_a_budget_from_the_admin(client):
    heading = HeadingFactory(amount=1000)
    project = ProjectFactory(heading=heading, price=600)
    ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    budget = heading.group.budget
    response = _finish(client, Role.EDITOR, budget)
    assert response.status_code == 200
    budget.refresh_from_db()
    assert budget.phase == Phase.FINISHED
    assert HeadingResult.objects.get(heading=heading).winners == [project.pk]


def test_a_moderator_cannot_finish_a_budget(client):
    budget = HeadingFactory().group.budget
    response = _finish(client, Role.MODERATOR, budget)
    assert response.status_code == 403
    budget.refresh_from_db()
    assert budget.phase == Phase.BALLOTING
