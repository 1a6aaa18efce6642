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


def _change_project(client, project, **changes):
    """Post the admin's change form for `project` with `changes`, as staff would."""
    from django.forms.models import model_to_dict

    user = StaffFactory(role=Role.EDITOR)
    with_totp(user)
    client.force_login(user)
    data = {k: v for k, v in model_to_dict(project).items() if v is not None}
    data |= changes
    for prefix in ("images", "documents", "events"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:budgets_project_change", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return user


def test_a_status_changed_in_the_admin_is_in_the_history_and_mailed(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    from samskab.accounts.tests.factories import UserFactory
    from samskab.budgets.models import Project, ProjectEvent
    from samskab.follows.services import follow_add

    project = ProjectFactory(
        author=UserFactory(email="forfatter@example.org"),
        language="da",
        title="Shelter",
        status=Project.Status.FEASIBLE,
        feasibility_explanation="Grunden er kommunens.",
    )
    follow_add(target=project, user=UserFactory(email="f@example.org"), language="en")
    with django_capture_on_commit_callbacks(execute=True):
        editor = _change_project(client, project, status=Project.Status.ON_BALLOT)
    [event] = project.events.all()
    assert (event.kind, event.status, event.actor) == (
        ProjectEvent.Kind.BALLOT,
        Project.Status.ON_BALLOT,
        editor,
    )
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "f@example.org",
        "forfatter@example.org",
    ]
    subjects = {m["To"]: m["Subject"] for m in smtp_inbox.messages}
    assert subjects["f@example.org"] == "“Shelter” is on the ballot"


def test_an_assessment_and_price_set_in_the_admin_are_two_entries_and_one_mail(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    from samskab.accounts.tests.factories import UserFactory
    from samskab.budgets.models import Project, ProjectEvent

    project = ProjectFactory(
        author=UserFactory(email="forfatter@example.org"),
        language="en",
        title="Shelter",
        status=Project.Status.SUBMITTED,
        price=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        _change_project(
            client,
            project,
            status=Project.Status.FEASIBLE,
            feasibility_explanation="The land is ours.",
            price=125_000,
            price_explanation="A carpenter's offer.",
        )
    assert [(e.kind, e.note) for e in project.events.all()] == [
        (ProjectEvent.Kind.FEASIBILITY, "The land is ours."),
        (ProjectEvent.Kind.PRICE, "A carpenter's offer."),
    ]
    [mail] = smtp_inbox.messages
    assert mail["Subject"] == "The price of “Shelter” is set"


def test_saving_an_unchanged_project_in_the_admin_adds_no_history(client, smtp_inbox):
    project = ProjectFactory()
    _change_project(client, project, title="Et nyt navn")
    assert not project.events.exists()
    assert smtp_inbox.messages == []
