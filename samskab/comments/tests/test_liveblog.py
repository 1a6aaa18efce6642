"""The live blog include for the player, and what viewers receive as posts are approved."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.comments import services
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.comments.tests.test_services import policy
from samskab.core.viewer import Viewer
from samskab.moderation import services as moderation


def render_liveblog(meeting, user=None) -> str:
    """The section in the player page and the body liveblog.js fetches into it."""
    request = RequestFactory().get("/moede/1/")
    request.user = user or AnonymousUser()
    request.viewer = Viewer(request)
    template = Template('{% include "comments/liveblog.html" with meeting=meeting %}')
    shell = template.render(Context({"meeting": meeting, "request": request}))
    client = Client()
    if user is not None:
        client.force_login(user)
    body = client.get(reverse("comments:liveblog", args=["webcasts.meeting", meeting.pk]))
    assert body.status_code == 200
    return shell + body.content.decode()


@pytest.mark.django_db
class TestLiveBlog:
    def test_the_include_lists_posts_newest_first_with_replies_under_them(self):
        meeting = MeetingFactory()
        first = CommentFactory(target=meeting, body="Første")
        CommentFactory(target=meeting, body="Anden")
        CommentFactory(target=meeting, body="Svar", parent=first, depth=2)
        html = render_liveblog(meeting)
        assert html.index("Anden") < html.index("Første") < html.index("Svar")
        assert f'data-live-channel="{meeting.channel}"' in html
        assert "liveblog-reveal" in html  # the "N new posts" button

    def test_a_viewer_sees_the_name_field_only_where_the_meeting_allows_it(self):
        meeting = MeetingFactory()
        assert 'name="author_name"' not in render_liveblog(meeting)
        policy(meeting, allow_anonymous=True)
        assert 'name="author_name"' in render_liveblog(meeting)

    def test_a_held_post_reaches_viewers_only_when_a_moderator_approves_it(self, monkeypatch):
        sent = []
        monkeypatch.setattr(
            "samskab.live.publish_on_commit", lambda c, e, d: sent.append((c, e, d))
        )
        meeting = MeetingFactory()
        policy(meeting, mode="pre")
        comment = services.comment_post(target=meeting, body="<b>Hej</b>", author=UserFactory())
        assert [c for c, _e, _d in sent] == ["moderation:queue"]
        moderation.target_approve(target=comment, moderator=StaffFactory(role=Role.MODERATOR))
        channel, event, data = sent[-2]
        assert (channel, event, data["id"]) == (meeting.channel, "comment", comment.pk)
        assert "<b>" not in data["html"]

    def test_the_player_section_costs_no_query_and_links_to_the_thread_without_script(
        self, django_assert_num_queries
    ):
        meeting = MeetingFactory()
        request = RequestFactory().get("/moede/1/")
        request.user = AnonymousUser()
        template = Template('{% include "comments/liveblog.html" with meeting=meeting %}')
        with django_assert_num_queries(0):
            html = template.render(Context({"meeting": meeting, "request": request}))
        assert reverse("comments:thread", args=["webcasts.meeting", meeting.pk]) in html
        assert 'data-body-url="' in html

    def test_forms_in_the_live_blog_send_the_visitor_back_to_the_player(self, client):
        meeting = MeetingFactory()
        CommentFactory(target=meeting, body="Hej")
        user = UserFactory()
        client.force_login(user)
        url = reverse("comments:liveblog", args=["webcasts.meeting", meeting.pk])
        html = client.get(url).content.decode()
        assert f'name="next" value="{meeting.get_absolute_url()}"' in html

    def test_a_recorded_meeting_s_blog_follows_no_stream(self):
        meeting = MeetingFactory(status="ended")
        assert "data-live-channel" not in render_liveblog(meeting)

    def test_the_polling_fallback_returns_only_newer_published_posts(self, client):
        meeting = MeetingFactory()
        old = CommentFactory(target=meeting, body="gammel")
        CommentFactory(target=meeting, body="ny")
        CommentFactory(target=meeting, body="skjult", status=Comment.Status.PENDING)
        url = reverse("comments:since", args=["webcasts.meeting", meeting.pk])
        html = client.get(url, {"after": old.pk}).content.decode()
        assert "ny" in html and "gammel" not in html and "skjult" not in html


@pytest.mark.django_db
class TestInThePlayer:
    def test_the_meeting_page_has_the_live_blog_section(self, client):
        meeting = MeetingFactory(status="live")
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert 'class="liveblog comments"' in html
        assert "samskab/comments/liveblog.js" in html
        assert "samskab/comments/comments.css" in html

    def test_the_embedded_player_links_to_the_live_blog_instead(self, client):
        meeting = MeetingFactory(status="live")
        response = client.get(reverse("webcasts:meeting_embed", kwargs={"pk": meeting.pk}))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="liveblog comments"' not in html
        assert "liveblog-elsewhere" in html and "#liveblog-heading" in html
