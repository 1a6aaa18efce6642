"""The comments API: read published comments; write when signed in, under the same rules."""

import pytest

from samskab.accounts.tests.factories import UserFactory
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.comments.tests.test_services import policy
from samskab.moderation.models import ModerationPolicy


def url(meeting):
    return f"/api/v1/comments/webcasts.meeting/{meeting.pk}"


@pytest.mark.django_db
class TestCommentsApi:
    def test_it_lists_only_published_comments(self, client):
        meeting = MeetingFactory()
        CommentFactory(target=meeting, body="synlig")
        CommentFactory(target=meeting, body="ventende", status=Comment.Status.PENDING)
        bodies = [c["body_html"] for c in client.get(url(meeting)).json()]
        assert bodies == ["<p>synlig</p>\n"]

    def test_an_anonymous_caller_cannot_write(self, client):
        response = client.post(
            url(MeetingFactory()), {"body": "x"}, content_type="application/json"
        )
        assert response.status_code == 401
        assert not Comment.objects.exists()

    def test_a_signed_in_citizen_writes_under_the_same_rules(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=False, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(UserFactory())
        meeting = MeetingFactory()
        ok = client.post(
            url(meeting), {"body": "<script>x</script>Hej"}, content_type="application/json"
        )
        assert ok.status_code == 201
        assert "<script>" not in ok.json()["body_html"]
        policy(meeting, mode="pre")
        assert (
            client.post(url(meeting), {"body": "Hej"}, content_type="application/json").status_code
            == 202
        )
        ModerationPolicy.objects.filter(object_id=meeting.pk).update(mode="closed")
        refused = client.post(url(meeting), {"body": "Hej"}, content_type="application/json")
        assert refused.status_code == 400
        assert "closed" in refused.json()["detail"]

    def test_it_refuses_100000_characters(self, client):
        client.force_login(UserFactory())
        response = client.post(
            url(MeetingFactory()), {"body": "x" * 100_000}, content_type="application/json"
        )
        assert response.status_code == 400
        assert not Comment.objects.exists()
