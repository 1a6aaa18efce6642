"""The target registry: what each app registered, and what it refuses."""

import pytest
from django.http import Http404

from samskab.budgets.models import Budget, Project
from samskab.budgets.tests.factories import ProjectFactory
from samskab.core import targets


def test_an_unknown_capability_is_refused_at_registration():
    with pytest.raises(ValueError, match="unknown capabilities"):
        targets.register(Project, capabilities={"comment", "juggle"})


def test_permissions_are_named_after_the_target():
    assert targets.get("budgets.project").permission("follow") == "budgets.follow_project"


@pytest.mark.django_db
def test_a_project_s_process_is_its_budget():
    project = ProjectFactory()
    assert targets.process_of(project) == project.heading.group.budget
    assert targets.process_of(project.heading.group.budget) is None


@pytest.mark.django_db
def test_a_capability_the_target_did_not_register_is_not_found():
    budget = ProjectFactory().heading.group.budget
    with pytest.raises(Http404):
        targets.resolve("budgets.budget", budget.pk, capability="comment")
    assert targets.resolve("budgets.budget", budget.pk, capability="follow") == budget


@pytest.mark.django_db
def test_the_public_part_of_a_model_is_its_visible_rows():
    shown = ProjectFactory()
    hidden = ProjectFactory()
    Budget.objects.filter(pk=hidden.heading.group.budget_id).update(is_published=False)
    assert list(targets.visible(Project)) == [shown]
    assert targets.is_visible(shown) and not targets.is_visible(hidden)
