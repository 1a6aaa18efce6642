"""The moderators' queue and actions, reports, bans and the log; and who is refused."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.comments import services as comment_services
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.core.tests.browsers import fresh_browser
from samskab.moderation import selectors, services
from samskab.moderation.models import Ban, ModerationLogEntry, ModerationSettings
from samskab.moderation.screening import held_reason_text


def staff_client(role: Role):
    staff = StaffFactory(role=role)
    with_totp(staff)
    client = Client()
    client.force_login(staff)
    return client, staff


@pytest.fixture
def moderator():
    return StaffFactory(role=Role.MODERATOR)


@pytest.mark.django_db
class TestActions:
    def test_approving_publishes_the_post_live_and_logs_who_did_it(self, moderator, monkeypatch):
        sent = []
        monkeypatch.setattr("samskab.live.publish_on_commit", lambda c, e, d: sent.append((c, e)))
        comment = CommentFactory(status=Comment.Status.PENDING)
        services.target_approve(target=comment, moderator=moderator)
        comment.refresh_from_db()
        assert comment.is_visible
        assert (comment.target.channel, "comment") in sent
        entry = ModerationLogEntry.objects.get()
        assert (entry.moderator, entry.action) == (moderator, ModerationLogEntry.Action.APPROVED)

    def test_rejecting_needs_a_reason(self, moderator):
        with pytest.raises(services.ModerationError):
            services.target_hide(target=CommentFactory(), moderator=moderator, reason=" ")

    def test_the_author_is_told_by_e_mail_why_their_post_was_removed(
        self, moderator, django_capture_on_commit_callbacks
    ):
        comment = CommentFactory(body="Noget grimt")
        with django_capture_on_commit_callbacks(execute=True):
            services.target_hide(target=comment, moderator=moderator, reason="Personangreb")
        comment.refresh_from_db()
        assert comment.status == Comment.Status.HIDDEN
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [comment.author.email]
        assert "Personangreb" in message.body
        assert "Noget grimt" in message.body

    def test_spam_is_removed_without_an_e_mail(self, moderator, django_capture_on_commit_callbacks):
        comment = CommentFactory(status=Comment.Status.PENDING)
        with django_capture_on_commit_callbacks(execute=True):
            services.target_hide(target=comment, moderator=moderator, reason="", spam=True)
        comment.refresh_from_db()
        assert comment.is_spam and comment.status == Comment.Status.REJECTED
        assert mail.outbox == []

    def test_a_moderators_edit_keeps_the_old_text_in_the_log(self, moderator):
        comment = CommentFactory(body="Ring til 12345678")
        services.target_moderate_edit(
            target=comment, moderator=moderator, body="Ring til [fjernet]", reason="telefonnr."
        )
        comment.refresh_from_db()
        assert comment.body == "Ring til [fjernet]"
        assert ModerationLogEntry.objects.get().excerpt == "Ring til 12345678"

    def test_a_banned_viewer_cannot_post_again(self, moderator):
        from samskab.comments.tests.test_services import policy

        meeting = MeetingFactory()
        policy(meeting, allow_anonymous=True)
        comment = comment_services.comment_post(
            target=meeting, body="spam", author_name="X", viewer_key="v" * 64
        )
        services.ban_for_target(target=comment, moderator=moderator, reason="spam")
        with pytest.raises(comment_services.CommentError):
            comment_services.comment_post(
                target=meeting, body="igen", author_name="Y", viewer_key="v" * 64
            )
        assert Ban.objects.get().viewer_key == "v" * 64

    def test_a_ban_must_end_in_the_future(self, moderator):
        with pytest.raises(services.ModerationError):
            services.ban_create(
                moderator=moderator,
                reason="x",
                user=UserFactory(),
                until=timezone.now() - timedelta(hours=1),
            )

    def test_bulk_approval_handles_every_selected_post(self, moderator):
        comments = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
        assert services.targets_bulk(items=comments, action="approve", moderator=moderator) == 3
        assert Comment.objects.filter(status=Comment.Status.PUBLISHED).count() == 3


@pytest.mark.django_db
class TestReports:
    def test_three_accounts_send_a_post_back_to_the_queue(self):
        comment = CommentFactory()
        for _ in range(3):
            services.report_create(target=comment, user=UserFactory(), reason="abuse")
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING
        # Stored with the number, put in words in the moderator's language when read.
        assert held_reason_text(comment.moderation_reason) == "Reported by 3 signed-in citizens"
        with translation.override("da"):
            assert held_reason_text(comment.moderation_reason) == (
                "Anmeldt af 3 borgere, der var logget ind"
            )
        assert ModerationLogEntry.objects.filter(
            action=ModerationLogEntry.Action.REPORTED_TO_QUEUE
        ).exists()

    def test_reports_without_an_account_never_hold_a_post(self):
        comment = CommentFactory()
        for i in range(10):
            services.report_create(target=comment, anonymous_key=f"viewer{i}", reason="abuse")
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED
        assert comment.report_count == 10

    def test_reports_without_an_account_do_not_add_up_with_accounts(self):
        comment = CommentFactory()
        for i in range(2):
            services.report_create(target=comment, anonymous_key=f"viewer{i}", reason="abuse")
            services.report_create(target=comment, user=UserFactory(), reason="abuse")
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED

    def test_an_anonymous_key_cannot_pass_for_an_account(self):
        comment = CommentFactory()
        with pytest.raises(services.ModerationError):
            services.report_create(target=comment, anonymous_key="user:1", reason="spam")

    def test_the_threshold_is_a_setting(self):
        settings_row = ModerationSettings.current()
        settings_row.reports_to_queue = 1
        settings_row.save()
        comment = CommentFactory()
        services.report_create(target=comment, user=UserFactory(), reason="spam")
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING

    def test_one_person_cannot_report_twice(self):
        comment = CommentFactory()
        citizen = UserFactory()
        services.report_create(target=comment, user=citizen, reason="spam")
        with pytest.raises(services.ModerationError, match="already"):
            services.report_create(target=comment, user=citizen, reason="spam")
        comment.refresh_from_db()
        assert comment.report_count == 1


def report_page(client, comment, **extra):
    return client.post(
        reverse("moderation:report", args=["comments.comment", comment.pk]),
        {"reason": "spam"},
        **extra,
    )


@pytest.mark.django_db
class TestReportingThroughThePage:
    """Security review H1: three fresh anonymous cookies took a published post down."""

    def test_three_fresh_anonymous_browsers_leave_the_post_published(self):
        comment = CommentFactory()
        for _ in range(3):
            response = report_page(Client(HTTP_ACCEPT_LANGUAGE="en"), comment)
            assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED
        assert comment.reports.count() == 1  # one address, one anonymous reporter

    def test_the_report_post_makes_no_viewer_cookie(self, client):
        response = report_page(client, CommentFactory())
        assert settings.VIEWER_COOKIE_NAME not in response.cookies

    def test_three_signed_in_citizens_hold_the_post(self):
        comment = CommentFactory()
        for _ in range(3):
            citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
            citizen.force_login(UserFactory())
            assert report_page(citizen, comment).status_code == 302
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING

    def test_fresh_cookies_from_one_address_report_at_most_twenty_times_an_hour(self):
        comment = CommentFactory()
        statuses = [
            report_page(fresh_browser(), comment, REMOTE_ADDR="198.51.100.9").status_code
            for _ in range(21)
        ]
        assert statuses == [302] * 20 + [429]
        assert comment.reports.count() == 20
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED

    def test_without_a_cookie_one_address_reports_ten_times_an_hour(self):
        comments = CommentFactory.create_batch(11)
        statuses = [
            report_page(Client(), c, REMOTE_ADDR="198.51.100.9").status_code for c in comments
        ]
        assert statuses == [302] * 10 + [429]

    def test_approving_a_reported_post_keeps_it_and_takes_it_out_of_the_queue(self, moderator):
        comment = CommentFactory()
        report_page(Client(HTTP_ACCEPT_LANGUAGE="en"), comment)
        assert [item.target for item in selectors.queue()] == [comment]
        services.target_approve(target=comment, moderator=moderator)
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED and comment.report_count == 0
        assert selectors.queue() == []

    def test_the_queue_shows_a_post_reported_without_an_account_still_published(self):
        comment = CommentFactory(body="Et indlæg der er anmeldt")
        report_page(Client(HTTP_ACCEPT_LANGUAGE="en"), comment)
        staff, _moderator = staff_client(Role.MODERATOR)
        page = staff.get(reverse("moderation:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Et indlæg der er anmeldt" in page
        assert "Still shown" in page
        assert "1 report without an account (a signal only)" in page


@pytest.mark.django_db
class TestQueuePage:
    def test_a_citizen_gets_403(self, client):
        client.force_login(UserFactory())
        assert client.get(reverse("moderation:queue")).status_code == 403
        assert client.post(reverse("moderation:act"), {"one": "approve:1"}).status_code == 403

    def test_staff_in_another_role_get_403(self):
        client, _staff = staff_client(Role.EDITOR)
        assert client.get(reverse("moderation:queue")).status_code == 403
        assert client.get(reverse("moderation:log")).status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client):
        assert client.get(reverse("moderation:queue")).status_code == 302

    def test_a_moderator_sees_held_posts_and_approves_one(self):
        client, _staff = staff_client(Role.MODERATOR)
        comment = CommentFactory(status=Comment.Status.PENDING, body="Vent på mig")
        page = client.get(reverse("moderation:queue"))
        assert page.status_code == 200
        assert "Vent på mig" in page.content.decode()
        client.post(reverse("moderation:act"), {"one": f"approve:comments.comment:{comment.pk}"})
        comment.refresh_from_db()
        assert comment.is_visible

    def test_a_moderator_bans_the_author_from_the_queue_for_a_week(self):
        client, _staff = staff_client(Role.MODERATOR)
        comment = CommentFactory(status=Comment.Status.PENDING)
        client.post(
            reverse("moderation:act"),
            {
                "one": f"ban:comments.comment:{comment.pk}",
                f"reason-comments.comment:{comment.pk}": "chikane",
                f"duration-comments.comment:{comment.pk}": "7d",
            },
        )
        ban = Ban.objects.get()
        assert ban.user == comment.author
        assert timedelta(days=6) < ban.until - timezone.now() <= timedelta(days=7)
        assert set(ModerationLogEntry.objects.values_list("action", flat=True)) == {
            "banned",
            "rejected",
        }

    def test_the_queue_escapes_hostile_author_names(self):
        client, _staff = staff_client(Role.MODERATOR)
        CommentFactory(status=Comment.Status.PENDING, author=None, author_name="<script>x</script>")
        assert b"<script>x</script>" not in client.get(reverse("moderation:queue")).content
