"""Comments follow their target: hidden with it (security M5, review 2.5), asked through its
own permission, and deleted with it."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.tests.factories import ProjectFactory
from samskab.comments.live import place_may_listen
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.comments.tests.test_services import policy
from samskab.moderation.models import ModerationPolicy, Report
from samskab.webcasts.tests.factories import user_with_role


def hidden_project():
    project = ProjectFactory(title="HEMMELIGT projekt")
    project.heading.group.budget.is_published = False
    project.heading.group.budget.save()
    return project


@pytest.mark.django_db
class TestHiddenTargets:
    def test_the_thread_of_a_project_in_an_unpublished_budget_is_not_found(self, client):
        project = hidden_project()
        response = client.get(reverse("comments:thread", args=["budgets.project", project.pk]))
        assert response.status_code == 404
        assert "HEMMELIGT" not in response.content.decode()

    def test_a_citizen_cannot_post_on_a_project_in_an_unpublished_budget(self, client):
        project = hidden_project()
        client.force_login(UserFactory())
        response = client.post(
            reverse("comments:post", args=["budgets.project", project.pk]), {"body": "Hej"}
        )
        assert response.status_code == 404
        assert not Comment.objects.exists()

    def test_the_api_neither_lists_nor_takes_comments_of_a_hidden_project(self, client):
        project = hidden_project()
        url = f"/api/v1/comments/budgets.project/{project.pk}"
        assert client.get(url).status_code == 404
        client.force_login(UserFactory())
        response = client.post(url, {"body": "Hej"}, content_type="application/json")
        assert response.status_code == 404
        assert not Comment.objects.exists()

    def test_nobody_may_listen_to_the_comments_of_a_hidden_project(self):
        project = hidden_project()
        assert not place_may_listen(AnonymousUser(), None, f"budgets.project:{project.pk}")

    def test_the_same_project_is_open_once_its_budget_is_published(self, client):
        project = ProjectFactory()
        url = reverse("comments:thread", args=["budgets.project", project.pk])
        assert client.get(url).status_code == 200
        assert place_may_listen(AnonymousUser(), None, f"budgets.project:{project.pk}")

    def test_the_staff_who_prepare_a_budget_see_its_threads(self, client):
        project = hidden_project()
        client.force_login(user_with_role(Role.EDITOR))
        response = client.get(reverse("comments:thread", args=["budgets.project", project.pk]))
        assert response.status_code == 200

    def test_an_unpublished_meeting_s_thread_is_not_found(self, client):
        meeting = MeetingFactory(is_published=False)
        response = client.get(reverse("comments:thread", args=["webcasts.meeting", meeting.pk]))
        assert response.status_code == 404

    def test_a_model_that_is_not_registered_cannot_be_commented(self, client):
        user = UserFactory()
        response = client.get(reverse("comments:thread", args=["accounts.user", user.pk]))
        assert response.status_code == 404


@pytest.fixture
def closed_projects():
    """budgets.comment_project refuses everyone, for this test only."""
    rules.add_perm("budgets.comment_project", rules.always_deny)
    yield
    rules.remove_perm("budgets.comment_project")


@pytest.mark.django_db
class TestTheTargetDecides:
    def test_posting_asks_the_target_s_own_permission(self, client, closed_projects):
        project = ProjectFactory()
        client.force_login(UserFactory())
        response = client.post(
            reverse("comments:post", args=["budgets.project", project.pk]), {"body": "Hej"}
        )
        assert response.status_code == 403
        assert not Comment.objects.exists()

    def test_the_api_asks_it_too(self, client, closed_projects):
        project = ProjectFactory()
        client.force_login(UserFactory())
        response = client.post(
            f"/api/v1/comments/budgets.project/{project.pk}",
            {"body": "Hej"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert not Comment.objects.exists()

    def test_without_a_rule_anyone_who_sees_the_target_may_post(self, client):
        project = ProjectFactory()
        client.force_login(UserFactory())
        client.post(reverse("comments:post", args=["budgets.project", project.pk]), {"body": "Hej"})
        assert Comment.objects.get().body == "Hej"


@pytest.mark.django_db
class TestDeletedWithTheTarget:
    def test_deleting_a_project_deletes_its_comments_replies_reports_and_policy(self):
        project = ProjectFactory()
        other = ProjectFactory()
        comment = CommentFactory(target=project)
        CommentFactory(target=project, parent=comment, depth=2)
        Report.objects.create(target=comment, reporter_key="user:1", reason="spam")
        policy(project)
        kept = CommentFactory(target=other)
        project.delete()
        assert list(Comment.objects.all()) == [kept]
        assert not Report.objects.exists()
        assert not ModerationPolicy.objects.exists()

    def test_deleting_a_budget_deletes_the_comments_of_its_projects(self):
        project = ProjectFactory()
        CommentFactory(target=project)
        project.heading.group.budget.delete()
        assert not Comment.objects.exists()

    def test_deleting_a_meeting_deletes_its_live_blog(self):
        meeting = MeetingFactory()
        CommentFactory(target=meeting)
        meeting.delete()
        assert not Comment.objects.exists()

    def test_a_deleted_comment_s_picture_leaves_the_disk(self, django_capture_on_commit_callbacks):
        from django.core.files.base import ContentFile

        meeting = MeetingFactory()
        comment = CommentFactory(target=meeting)
        comment.image.save("p.jpg", ContentFile(b"x"), save=True)
        storage, name = comment.image.storage, comment.image.name
        assert storage.exists(name)
        with django_capture_on_commit_callbacks(execute=True):
            meeting.delete()
        assert not storage.exists(name)
