"""The mode of a place: its own, else its process's, else the site default."""

import pytest

from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.tests.factories import ProjectFactory
from samskab.comments import services
from samskab.comments.models import Comment
from samskab.comments.services import CommentError
from samskab.comments.tests.test_services import policy
from samskab.moderation.models import Mode, ModerationSettings
from samskab.moderation.selectors import place_rules


@pytest.mark.django_db
class TestModesPerPlace:
    def test_a_project_follows_its_budget_unless_it_has_its_own_mode(self):
        project = ProjectFactory()
        budget = project.heading.group.budget
        assert place_rules(project).mode == ModerationSettings.current().default_mode
        policy(budget, mode=Mode.PRE)
        assert place_rules(project).mode == Mode.PRE
        policy(project, mode=Mode.CLOSED)
        assert place_rules(project).mode == Mode.CLOSED

    def test_a_comment_on_a_project_of_a_pre_moderated_budget_is_held_and_queued(self):
        project = ProjectFactory()
        policy(project.heading.group.budget, mode=Mode.PRE)
        comment = services.comment_post(target=project, body="Godt forslag", author=UserFactory())
        assert comment.status == Comment.Status.PENDING

    def test_a_closed_budget_closes_its_projects(self):
        project = ProjectFactory()
        policy(project.heading.group.budget, mode=Mode.CLOSED)
        with pytest.raises(CommentError):
            services.comment_post(target=project, body="Hej", author=UserFactory())

    def test_the_site_default_applies_to_a_meeting_without_its_own_mode(self):
        from samskab.comments.tests.factories import MeetingFactory

        settings_row = ModerationSettings.current()
        settings_row.default_mode = Mode.PRE
        settings_row.save()
        assert place_rules(MeetingFactory()).mode == Mode.PRE

    def test_a_published_comment_on_a_project_goes_out_on_the_project_s_channel(
        self, django_capture_on_commit_callbacks
    ):
        from samskab.comments.live import channel_for, place_may_listen
        from samskab.live.channels import kind_of

        project = ProjectFactory()
        with django_capture_on_commit_callbacks(execute=True):
            comment = services.comment_post(target=project, body="Flot", author=UserFactory())
        assert comment.status == Comment.Status.PUBLISHED
        channel = channel_for(project)
        assert channel == f"comments:budgets.project:{project.pk}"
        assert kind_of(channel) is not None
        assert place_may_listen(None, None, f"budgets.project:{project.pk}")
        assert not place_may_listen(None, None, "accounts.user:1")
