"""The author of a removed post is told why, by e-mail, in their own language."""

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.comments import services as comment_services
from samskab.comments.models import Comment
from samskab.comments.tests.factories import MeetingFactory
from samskab.moderation import services
from samskab.moderation.models import ModerationLogEntry


@pytest.fixture
def moderator():
    return StaffFactory(role=Role.MODERATOR)


def post(language: str, body: str) -> Comment:
    return comment_services.comment_post(
        target=MeetingFactory(), body=body, author=UserFactory(), language=language
    )


@pytest.mark.django_db
class TestRemovalMail:
    def test_a_danish_author_gets_the_reason_in_danish(
        self, moderator, smtp_inbox, django_capture_on_commit_callbacks
    ):
        comment = post("da", "Noget grimt om naboen")
        with django_capture_on_commit_callbacks(execute=True):
            services.target_hide(target=comment, moderator=moderator, reason="Personangreb")
        [message] = smtp_inbox.messages
        assert message["To"] == comment.author.email
        assert message["Subject"] == "Din kommentar er fjernet"
        text = message.get_content()
        assert "Begrundelse: Personangreb" in text
        assert "Noget grimt om naboen" in text
        entry = ModerationLogEntry.objects.get(action=ModerationLogEntry.Action.HIDDEN)
        assert (entry.moderator, entry.reason) == (moderator, "Personangreb")

    def test_an_english_author_gets_it_in_english_whatever_the_moderator_reads(
        self, moderator, smtp_inbox, django_capture_on_commit_callbacks
    ):
        from django.utils import translation

        comment = post("en", "Something nasty")
        with translation.override("da"), django_capture_on_commit_callbacks(execute=True):
            services.target_hide(target=comment, moderator=moderator, reason="Insults")
        [message] = smtp_inbox.messages
        assert message["Subject"] == "Your comment was removed"
        assert "The reason: Insults" in message.get_content()

    def test_the_language_of_the_post_is_stored_from_the_request(self, danish_client):
        from samskab.comments.tests.factories import MeetingFactory as Meetings

        meeting = Meetings()
        user = UserFactory()
        danish_client.force_login(user)
        danish_client.post(
            f"/kommentarer/webcasts.meeting/{meeting.pk}/skriv/", {"body": "Hej med jer"}
        )
        assert Comment.objects.get().language == "da"

    def test_a_held_post_that_is_rejected_is_mailed_too_but_spam_is_not(
        self, moderator, smtp_inbox, django_capture_on_commit_callbacks
    ):
        held = post("en", "First")
        Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
        spam = post("en", "Buy now")
        Comment.objects.filter(pk=spam.pk).update(status=Comment.Status.PENDING)
        with django_capture_on_commit_callbacks(execute=True):
            services.target_hide(target=held, moderator=moderator, reason="Off topic")
            services.target_hide(target=spam, moderator=moderator, reason="", spam=True)
        assert [m["Subject"] for m in smtp_inbox.messages] == ["Your comment was removed"]
