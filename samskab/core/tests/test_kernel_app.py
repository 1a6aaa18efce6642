"""A capability that only registers (core/tests/kernelapp) gets comments, follows and reports
through the generic views, with its own visibility, rules and process, and its rows go with
it."""

import json

import pytest
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.comments.models import Comment
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.follows.models import Follow
from samskab.follows.selectors import followers_of
from samskab.moderation.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea():
    return Idea.objects.create(box=IdeaBox.objects.create(title="Byens rum"), title="Flere bænke")


def thread(obj):
    return reverse("comments:thread", args=[obj._meta.label_lower, obj.pk])


def post(obj):
    return reverse("comments:post", args=[obj._meta.label_lower, obj.pk])


def follow(obj):
    return reverse("follows:toggle", args=[obj._meta.label_lower, obj.pk])


def test_a_citizen_comments_on_an_idea_and_everyone_reads_it(client, idea):
    client.force_login(UserFactory())
    response = client.post(post(idea), {"body": "Gerne ved søen"})
    assert response.status_code == 302
    client.logout()
    page = client.get(thread(idea))
    assert page.status_code == 200 and "Gerne ved søen" in page.content.decode()
    assert [c["body_html"] for c in client.get(f"/api/v1/comments/kernelapp.idea/{idea.pk}").json()]


def test_the_idea_s_own_rule_closes_it_for_comments(client, idea):
    idea.is_open = False
    idea.save()
    client.force_login(UserFactory())
    assert client.post(post(idea), {"body": "For sent"}).status_code == 403
    assert not Comment.objects.exists()


def test_an_idea_in_an_unpublished_box_is_not_found_anywhere(client, idea):
    comment = Comment.objects.create(target=idea, body="x", body_html="<p>x</p>")
    IdeaBox.objects.filter(pk=idea.box_id).update(is_published=False)
    client.force_login(UserFactory())
    assert client.get(thread(idea)).status_code == 404
    assert client.post(post(idea), {"body": "Hej"}).status_code == 404
    assert client.post(follow(idea), {"follow": "1"}).status_code == 404
    report = reverse("moderation:report", args=["comments.comment", comment.pk])
    assert client.get(report).status_code == 404
    assert client.post(report, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists() and not Follow.objects.exists()


def test_what_the_idea_did_not_register_is_not_offered(client, idea):
    # The box registered only "follow": it cannot be commented.
    assert client.get(thread(idea.box)).status_code == 404


def test_a_citizen_follows_the_idea_and_another_the_whole_box(client, idea):
    one, other = UserFactory(), UserFactory()
    client.force_login(one)
    client.post(follow(idea), {"follow": "1"})
    client.force_login(other)
    client.post(follow(idea.box), {"follow": "1"}, HTTP_HX_REQUEST="true")
    assert {f.user for f in followers_of(idea)} == {one, other}
    page = client.get(thread(idea))
    assert page.status_code == 200


def test_a_comment_on_an_idea_is_reported_through_moderation(client, idea):
    comment = Comment.objects.create(target=idea, body="Køb billige ure", body_html="<p>x</p>")
    client.force_login(UserFactory())
    response = client.post(
        reverse("moderation:report", args=["comments.comment", comment.pk]), {"reason": "spam"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(thread(idea))
    assert Report.objects.get().target == comment


def test_deleting_an_idea_takes_its_comments_reports_and_follows(client, idea):
    other = Idea.objects.create(box=idea.box, title="Andet")
    comment = Comment.objects.create(target=idea, body="x", body_html="<p>x</p>")
    kept = Comment.objects.create(target=other, body="y", body_html="<p>y</p>")
    Report.objects.create(target=comment, reporter_key="user:1", reason="spam")
    user = UserFactory()
    Follow.objects.create(target=idea, user=user)
    box_follow = Follow.objects.create(target=idea.box, user=user)
    idea.delete()
    assert list(Comment.objects.all()) == [kept]
    assert not Report.objects.exists()
    assert list(Follow.objects.all()) == [box_follow]
    idea.box.delete()  # the box, its other idea, and everything on both
    assert not Comment.objects.exists() and not Follow.objects.exists()


def test_the_person_s_export_has_their_comments_and_follows_on_ideas(client, idea):
    user = UserFactory()
    client.force_login(user)
    client.post(post(idea), {"body": "Mit forslag"})
    client.post(follow(idea), {"follow": "1"})
    data = json.loads(client.get("/konto/mine-data/").content)["apps"]
    assert [c["body"] for c in data["comments"]] == ["Mit forslag"]
    assert [f["title"] for f in data["follows"]] == ["Flere bænke"]


def test_an_answer_to_an_idea_notifies_by_registration_alone(
    client, idea, django_capture_on_commit_callbacks
):
    # kernelapp wrote no notification code: it registered Idea (with its author and box as
    # process) and one activity kind. Its follower and author are told; the centre shows it.
    from django.core import mail

    from samskab.activity.services import event_record
    from samskab.notifications.models import Notification

    author, follower = UserFactory(email="a@example.org"), UserFactory(email="b@example.org")
    Idea.objects.filter(pk=idea.pk).update(author=author, language="da")
    idea.refresh_from_db()
    client.force_login(follower)
    client.post(follow(idea.box), {"follow": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        event_record(target=idea, kind="answered", note="Ja tak")
    assert {n.user for n in Notification.objects.all()} == {author, follower}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert "Ja tak" in client.get(reverse("notifications:list")).content.decode()
