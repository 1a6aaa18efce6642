"""The follow button: a plain form and htmx, refusals, and what follows a target means."""

import json

import pytest
import rules
from django.urls import reverse

from samskab.accounts.services import account_delete
from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.tests.factories import ProjectFactory
from samskab.follows.models import Follow
from samskab.follows.selectors import followers_of
from samskab.follows.services import FollowRefused, follow_add

pytestmark = pytest.mark.django_db


def toggle_url(obj):
    return reverse("follows:toggle", args=[obj._meta.label_lower, obj.pk])


def test_a_plain_form_follows_and_goes_back_to_the_page(client):
    project = ProjectFactory()
    client.force_login(UserFactory())
    response = client.post(toggle_url(project), {"follow": "1", "next": "/borgerbudget/"})
    assert response.status_code == 302 and response["Location"] == "/borgerbudget/"
    assert Follow.objects.get().target == project


def test_a_next_address_on_another_site_is_not_followed(client):
    project = ProjectFactory()
    client.force_login(UserFactory())
    response = client.post(toggle_url(project), {"follow": "1", "next": "https://evil.example/"})
    assert response["Location"] == project.get_absolute_url()


def test_htmx_gets_the_button_back_with_its_own_texts(client):
    project = ProjectFactory()
    client.force_login(UserFactory())
    response = client.post(
        toggle_url(project),
        {"follow": "1", "following_text": "You follow this project."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "You follow this project." in html and "Stop following" in html
    response = client.post(toggle_url(project), {"follow": "0"}, HTTP_HX_REQUEST="true")
    assert "Stop following" not in response.content.decode()
    assert not Follow.objects.exists()


def test_a_project_in_an_unpublished_budget_cannot_be_followed(client):
    project = ProjectFactory()
    project.heading.group.budget.is_published = False
    project.heading.group.budget.save()
    client.force_login(UserFactory())
    assert client.post(toggle_url(project), {"follow": "1"}).status_code == 404
    assert not Follow.objects.exists()


def test_what_is_not_registered_for_following_is_not_found(client):
    client.force_login(UserFactory())
    other = UserFactory()
    response = client.post(reverse("follows:toggle", args=["accounts.user", other.pk]))
    assert response.status_code == 404


@pytest.fixture
def no_following():
    original = rules.permissions.permissions["budgets.follow_project"]
    rules.set_perm("budgets.follow_project", rules.always_deny)
    yield
    rules.set_perm("budgets.follow_project", original)


def test_the_target_s_own_permission_decides(client, no_following):
    project = ProjectFactory()
    user = UserFactory()
    client.force_login(user)
    assert client.post(toggle_url(project), {"follow": "1"}).status_code == 403
    with pytest.raises(FollowRefused):
        follow_add(target=project, user=user)
    assert "Follow this project" not in client.get(project.get_absolute_url()).content.decode()


def test_the_followers_of_a_project_include_its_budget_s_once_each():
    project = ProjectFactory()
    budget = project.heading.group.budget
    both, only_budget, only_project = UserFactory(), UserFactory(), UserFactory()
    follow_add(target=budget, user=both, language="da")
    follow_add(target=project, user=both, language="en")
    follow_add(target=budget, user=only_budget)
    follow_add(target=project, user=only_project)
    follow_add(target=ProjectFactory(), user=UserFactory())  # another budget's project
    found = {f.user: f.language for f in followers_of(project)}
    assert found == {both: "en", only_budget: "", only_project: ""}


def test_a_deleted_or_inactive_account_follows_nothing():
    project = ProjectFactory()
    deleted, inactive = UserFactory(), UserFactory()
    follow_add(target=project, user=deleted)
    follow_add(target=project, user=inactive)
    inactive.is_active = False
    inactive.save()
    account_delete(user=deleted)
    assert followers_of(project) == []
    assert not Follow.objects.filter(user=deleted).exists()


def test_follows_go_with_their_target():
    project = ProjectFactory()
    follow_add(target=project, user=UserFactory())
    follow_add(target=project.heading.group.budget, user=UserFactory())
    project.heading.group.budget.delete()
    assert not Follow.objects.exists()


def test_the_data_export_lists_what_the_person_follows(client):
    user = UserFactory()
    project = ProjectFactory(title="Legeplads")
    follow_add(target=project, user=user, language="da")
    client.force_login(user)
    [row] = json.loads(client.get("/konto/mine-data/").content)["apps"]["follows"]
    assert row["target"] == f"budgets.project:{project.pk}"
    assert (row["title"], row["url"], row["language"]) == (
        "Legeplads",
        project.get_absolute_url(),
        "da",
    )
