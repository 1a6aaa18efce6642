"""Two gaps a citizen found in the December walk (walk-citizen.md finding 21), and the name
one writes under (finding 17)."""

import pytest
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.comments.models import Comment
from samskab.comments.services import CommentError, comment_vote
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.comments.tests.test_services import policy

pytestmark = pytest.mark.django_db


def thread_url(target):
    return reverse("comments:thread", args=["webcasts.meeting", target.pk])


def test_an_author_cannot_agree_with_their_own_comment(client):
    comment = CommentFactory()
    with pytest.raises(CommentError, match="your own comment"):
        comment_vote(comment=comment, value=1, user=comment.author)
    client.force_login(comment.author)
    response = client.post(
        reverse("comments:vote", args=[comment.pk]), {"value": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    comment.refresh_from_db()
    assert comment.agree_count == 0
    # The thread shows the author the counts, without buttons to press.
    html = client.get(thread_url(comment.target)).content.decode()
    assert "comment-votes-own" in html
    assert f'action="{reverse("comments:vote", args=[comment.pk])}"' not in html


def test_a_viewer_without_an_account_cannot_vote_on_what_they_wrote_either():
    comment = CommentFactory(author=None, author_name="Anna", viewer_key="viewer-abc")
    with pytest.raises(CommentError):
        comment_vote(comment=comment, value=1, viewer_key="viewer-abc")
    assert comment_vote(comment=comment, value=1, viewer_key="viewer-other")


def test_others_still_vote(client):
    comment = CommentFactory()
    client.force_login(UserFactory())
    html = client.get(thread_url(comment.target)).content.decode()
    assert f'action="{reverse("comments:vote", args=[comment.pk])}"' in html


def test_delete_asks_first_and_deletes_only_on_the_answer(client):
    comment = CommentFactory(body="Min kommentar")
    client.force_login(comment.author)
    back = thread_url(comment.target)
    page = client.get(reverse("comments:delete", args=[comment.pk]), {"next": back})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Min kommentar" in html and f'value="{back}"' in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # asking deleted nothing
    response = client.post(reverse("comments:delete", args=[comment.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"].startswith(back)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED_BY_AUTHOR


def test_the_confirmation_is_the_authors_only(client):
    comment = CommentFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("comments:delete", args=[comment.pk])).status_code == 403


def test_the_thread_links_to_the_question_not_to_an_instant_delete(client):
    comment = CommentFactory()
    client.force_login(comment.author)
    html = client.get(thread_url(comment.target)).content.decode()
    assert f'<a href="{reverse("comments:delete", args=[comment.pk])}?next=' in html
    assert f'action="{reverse("comments:delete", args=[comment.pk])}"' not in html


def test_the_form_says_under_which_name_one_writes(client):
    meeting = MeetingFactory()
    policy(meeting)
    client.force_login(UserFactory(display_name=""))
    html = client.get(thread_url(meeting), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You write as “Anonymous citizen”" in html
    assert f'href="{reverse("accounts:profile")}"' in html
    client.force_login(UserFactory(display_name="Åse S."))
    html = client.get(thread_url(meeting), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You write as “Åse S.”" in html
