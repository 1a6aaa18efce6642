"""The budgets' admin: results are never set there, and the count is not a single click."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.budgets.models import HeadingResult, Phase, Project, ResultProtected
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import (
    BudgetFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    count_and_publish,
)

pytestmark = pytest.mark.django_db


def _staff(client, role):
    user = StaffFactory(role=role)
    with_totp(user)
    client.force_login(user)
    return user


def _action(client, role, budget):
    _staff(client, role)
    return client.post(
        reverse("admin:budgets_budget_changelist"),
        {"action": "count", "_selected_action": [budget.pk]},
    )


def test_the_admin_action_only_leads_to_the_count_page_and_publishes_nothing(client):
    heading = HeadingFactory(amount=1000)
    project = ProjectFactory(heading=heading, price=600)
    ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    budget = heading.group.budget
    response = _action(client, Role.EDITOR, budget)
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:staff_count", args=[budget.pk])
    budget.refresh_from_db()
    assert budget.phase == Phase.BALLOTING
    assert not HeadingResult.objects.exists()


def test_a_moderator_cannot_count_a_budget(client):
    budget = HeadingFactory().group.budget
    response = _action(client, Role.MODERATOR, budget)
    assert response.status_code == 403
    budget.refresh_from_db()
    assert budget.phase == Phase.BALLOTING


@pytest.mark.parametrize("role", [Role.VALUATOR, Role.EDITOR, Role.ADMINISTRATOR])
def test_nobody_sets_a_winner_in_the_admin(client, role):
    budget = BudgetFactory(phase=Phase.VALUATING)
    project = ProjectFactory(heading__group__budget=budget, status=Project.Status.FEASIBLE)
    _staff(client, role)
    data = _project_form(project) | {"status": Project.Status.WINNER}
    response = client.post(reverse("admin:budgets_project_change", args=[project.pk]), data)
    project.refresh_from_db()
    assert project.status == Project.Status.FEASIBLE
    assert response.status_code in (200, 403)  # the form refuses the choice, or no access


def test_a_valuator_only_reads_projects_in_the_admin(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.VALUATING)
    _staff(client, Role.VALUATOR)
    url = reverse("admin:budgets_project_change", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # a view page, not a form
    response = client.post(url, _project_form(project) | {"title": "Nyt navn"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title != "Nyt navn"


def test_from_the_vote_on_status_price_and_heading_are_read_only_in_the_admin(client):
    project = ProjectFactory(price=400)  # the budget is in the vote
    _staff(client, Role.EDITOR)
    data = _project_form(project) | {
        "status": Project.Status.FEASIBLE,
        "price": "1",
        "title": "Rettet titel",
    }
    response = client.post(reverse("admin:budgets_project_change", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.price, project.title) == (
        Project.Status.ON_BALLOT,
        400,
        "Rettet titel",
    )


def test_a_winner_stays_a_winner_in_the_admin(client):
    heading = HeadingFactory(amount=1000)
    project = ProjectFactory(heading=heading, price=600)
    ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    count_and_publish(heading.group.budget)
    project.refresh_from_db()
    _staff(client, Role.ADMINISTRATOR)
    page = client.get(reverse("admin:budgets_project_change", args=[project.pk]))
    assert 'name="status"' not in page.content.decode()


def test_the_admin_refuses_a_price_of_ten_to_the_fifteenth(client):
    budget = BudgetFactory(phase=Phase.VALUATING)
    project = ProjectFactory(heading__group__budget=budget, status=Project.Status.FEASIBLE)
    _staff(client, Role.EDITOR)
    data = _project_form(project) | {"price": str(10**15)}
    response = client.post(reverse("admin:budgets_project_change", args=[project.pk]), data)
    assert response.status_code == 200  # the form again, with the error
    project.refresh_from_db()
    assert project.price == 400


def test_the_model_refuses_a_result_set_outside_the_count():
    project = ProjectFactory()
    project.status = Project.Status.WINNER
    with pytest.raises(ResultProtected):
        project.save()
    with pytest.raises(ResultProtected):
        ProjectFactory(status=Project.Status.NOT_WINNER)


def test_only_administrators_set_the_second_approval_rule(client):
    budget = BudgetFactory(phase=Phase.INFORMING)
    for role, editable in ((Role.EDITOR, False), (Role.ADMINISTRATOR, True)):
        _staff(client, role)
        page = client.get(reverse("admin:budgets_budget_change", args=[budget.pk]))
        assert ('name="second_approval"' in page.content.decode()) is editable
        assert 'name="phase"' not in page.content.decode()


def _project_form(project) -> dict:
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(project).items() if v is not None}
    for prefix in ("images", "documents", "events", "valuator_assignments", "valuation_notes"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _change_project(client, project, **changes):
    """Post the admin's change form for `project` with `changes`, as staff would."""
    from django.forms.models import model_to_dict

    user = StaffFactory(role=Role.EDITOR)
    with_totp(user)
    client.force_login(user)
    data = {k: v for k, v in model_to_dict(project).items() if v is not None}
    data |= changes
    for prefix in ("images", "documents", "events", "valuator_assignments", "valuation_notes"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:budgets_project_change", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return user


def test_a_status_changed_in_the_admin_is_in_the_history_and_mailed(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    from samskab.accounts.tests.factories import UserFactory
    from samskab.budgets.models import Project, ProjectEventKind
    from samskab.follows.services import follow_add

    project = ProjectFactory(
        heading__group__budget__phase=Phase.VALUATING,
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
        ProjectEventKind.BALLOT,
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
    from samskab.budgets.models import Project, ProjectEventKind

    project = ProjectFactory(
        heading__group__budget__phase=Phase.VALUATING,
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
        (ProjectEventKind.FEASIBILITY, "The land is ours."),
        (ProjectEventKind.PRICE, "A carpenter's offer."),
    ]
    [mail] = smtp_inbox.messages
    assert mail["Subject"] == "The price of “Shelter” is set"


def test_saving_an_unchanged_project_in_the_admin_adds_no_history(client, smtp_inbox):
    project = ProjectFactory()
    _change_project(client, project, title="Et nyt navn")
    assert not project.events.exists()
    assert smtp_inbox.messages == []


def test_a_project_or_heading_in_the_vote_cannot_be_deleted_in_the_admin(client):
    project = ProjectFactory()  # the budget is in the vote
    _staff(client, Role.ADMINISTRATOR)
    url = reverse("admin:budgets_project_delete", args=[project.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    url = reverse("admin:budgets_heading_delete", args=[project.heading_id])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_project_added_in_the_admin_starts_as_submitted(client):
    heading = HeadingFactory(group__budget__phase=Phase.VALUATING)
    _staff(client, Role.EDITOR)
    page = client.get(reverse("admin:budgets_project_add")).content.decode()
    assert 'name="status"' not in page
    client.post(
        reverse("admin:budgets_project_add"),
        {
            "heading": heading.pk,
            "title": "Fra papir",
            "description": "Indsendt på papir.",
            "status": Project.Status.ON_BALLOT,
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert Project.objects.get(title="Fra papir").status == Project.Status.SUBMITTED
