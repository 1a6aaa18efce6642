"""Taking down a published post and lifting a ban: moderation actions from the moderation
pages, with a reason, in the log (staff walk findings 9 and 10); the raw admin cannot
bypass them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory
from samskab.moderation import services
from samskab.moderation.models import Ban, ModerationLogEntry

Action = ModerationLogEntry.Action


def staff_client(role: Role):
    staff = StaffFactory(role=role)
    with_totp(staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    return client, staff


def a_ban(moderator, **kwargs) -> Ban:
    return services.ban_create(moderator=moderator, reason="chikane", user=UserFactory(), **kwargs)


@pytest.mark.django_db
class TestTakingDownAPublishedPost:
    def test_a_moderator_finds_it_on_the_published_page(self):
        client, _moderator = staff_client(Role.MODERATOR)
        comment = CommentFactory(body="Allerede offentlig")

        page = client.get(reverse("moderation:published"))

        assert "Allerede offentlig" in page.content.decode()
        assert (
            reverse("moderation:take_down", args=["comments.comment", comment.pk])
            in page.content.decode()
        )

    def test_the_published_page_searches_the_text(self):
        client, _moderator = staff_client(Role.MODERATOR)
        CommentFactory(body="Om cykelstier")
        CommentFactory(body="Om skoler")

        page = client.get(reverse("moderation:published"), {"q": "cykel"}).content.decode()

        assert "Om cykelstier" in page and "Om skoler" not in page

    def test_taking_it_down_hides_it_logs_the_reason_and_tells_the_author(
        self, django_capture_on_commit_callbacks
    ):
        client, moderator = staff_client(Role.MODERATOR)
        comment = CommentFactory(body="Navn og telefonnummer på naboen")

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("moderation:take_down", args=["comments.comment", comment.pk]),
                {"reason": "Personoplysninger om andre"},
            )

        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.status == Comment.Status.HIDDEN
        entry = ModerationLogEntry.objects.get()
        assert (entry.moderator, entry.action, entry.reason) == (
            moderator,
            Action.HIDDEN,
            "Personoplysninger om andre",
        )
        assert entry.excerpt == "Navn og telefonnummer på naboen"
        assert [message.to for message in mail.outbox] == [[comment.author.email]]

    def test_a_reason_is_required(self):
        client, _moderator = staff_client(Role.MODERATOR)
        comment = CommentFactory()

        response = client.post(
            reverse("moderation:take_down", args=["comments.comment", comment.pk]), {"reason": " "}
        )

        assert response.status_code == 400
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED
        assert not ModerationLogEntry.objects.exists()

    def test_it_goes_back_to_the_thread_it_came_from_but_not_elsewhere(self):
        client, _moderator = staff_client(Role.MODERATOR)
        here, there = CommentFactory(), CommentFactory()
        url = reverse("moderation:take_down", args=["comments.comment", here.pk])

        back = client.post(url, {"reason": "x", "next": "/moeder/1/#c1"})
        away = client.post(
            reverse("moderation:take_down", args=["comments.comment", there.pk]),
            {"reason": "x", "next": "https://evil.example/"},
        )

        assert back["Location"] == "/moeder/1/#c1"
        assert away["Location"] == reverse("moderation:published")

    def test_a_post_not_shown_cannot_be_taken_down(self):
        client, _moderator = staff_client(Role.MODERATOR)
        comment = CommentFactory(status=Comment.Status.PENDING)

        assert (
            client.get(
                reverse("moderation:take_down", args=["comments.comment", comment.pk])
            ).status_code
            == 404
        )
        with pytest.raises(services.ModerationError):
            services.target_take_down(target=comment, moderator=None, reason="x")

    @pytest.mark.parametrize("role", [Role.EDITOR, Role.OPERATOR, Role.VALUATOR])
    def test_other_staff_are_refused(self, role):
        client, _staff = staff_client(role)
        comment = CommentFactory()

        assert client.get(reverse("moderation:published")).status_code == 403
        response = client.post(
            reverse("moderation:take_down", args=["comments.comment", comment.pk]), {"reason": "x"}
        )

        assert response.status_code == 403
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED

    def test_a_citizen_is_refused(self, client):
        client.force_login(UserFactory())
        comment = CommentFactory()

        response = client.post(
            reverse("moderation:take_down", args=["comments.comment", comment.pk]), {"reason": "x"}
        )

        assert response.status_code == 403

    def test_moderators_see_take_down_on_the_thread_and_citizens_do_not(self, client):
        moderator_client, _moderator = staff_client(Role.MODERATOR)
        comment = CommentFactory()
        thread = reverse("comments:thread", args=["webcasts.meeting", comment.target.pk])
        link = reverse("moderation:take_down", args=["comments.comment", comment.pk])
        comment.target.is_published = True
        comment.target.save()

        assert link in moderator_client.get(thread).content.decode()
        assert link not in client.get(thread).content.decode()


@pytest.mark.django_db
class TestLiftingABan:
    def test_the_bans_page_lists_bans_in_force_with_who_and_why(self):
        client, moderator = staff_client(Role.MODERATOR)
        ban = a_ban(moderator)
        ended = a_ban(moderator, until=timezone.now() + timedelta(days=1))
        Ban.objects.filter(pk=ended.pk).update(until=timezone.now() - timedelta(hours=1))

        page = client.get(reverse("moderation:bans")).content.decode()

        assert reverse("moderation:ban_lift", args=[ban.pk]) in page
        assert reverse("moderation:ban_lift", args=[ended.pk]) not in page
        assert ban.user.email in page

    def test_lifting_a_ban_needs_a_reason_and_is_logged(self):
        client, moderator = staff_client(Role.MODERATOR)
        ban = a_ban(moderator)

        client.post(reverse("moderation:ban_lift", args=[ban.pk]), {"reason": ""})
        ban.refresh_from_db()
        assert ban.lifted_at is None

        client.post(reverse("moderation:ban_lift", args=[ban.pk]), {"reason": "Undskyldte"})

        ban.refresh_from_db()
        assert ban.lifted_at is not None
        entry = ModerationLogEntry.objects.get(action=Action.UNBANNED)
        assert (entry.moderator, entry.reason, entry.ban) == (moderator, "Undskyldte", ban)

    def test_a_ban_is_lifted_once(self):
        moderator = StaffFactory(role=Role.MODERATOR)
        ban = a_ban(moderator)
        services.ban_lift(ban=ban, moderator=moderator, reason="fejl")

        with pytest.raises(services.ModerationError):
            services.ban_lift(ban=ban, moderator=moderator, reason="igen")

        assert ModerationLogEntry.objects.filter(action=Action.UNBANNED).count() == 1

    def test_other_staff_cannot_lift_a_ban(self):
        client, _editor = staff_client(Role.EDITOR)
        ban = a_ban(StaffFactory(role=Role.MODERATOR))

        assert client.get(reverse("moderation:bans")).status_code == 403
        client.post(reverse("moderation:ban_lift", args=[ban.pk]), {"reason": "x"})

        ban.refresh_from_db()
        assert ban.lifted_at is None


@pytest.mark.django_db
class TestTheRawAdmin:
    def test_a_comments_status_cannot_be_changed_in_the_admin(self):
        client, _moderator = staff_client(Role.MODERATOR)
        comment = CommentFactory()
        url = reverse("admin:comments_comment_change", args=[comment.pk])

        page = client.get(url)
        client.post(url, {"status": Comment.Status.HIDDEN, "body": comment.body})

        assert page.status_code == 200
        assert (
            reverse("moderation:take_down", args=["comments.comment", comment.pk])
            in page.content.decode()
        )
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED

    def test_a_ban_cannot_be_lifted_in_the_admin(self):
        client, moderator = staff_client(Role.MODERATOR)
        ban = a_ban(moderator)
        now = timezone.now()

        client.post(
            reverse("admin:moderation_ban_change", args=[ban.pk]),
            {
                "user": ban.user_id,
                "reason": ban.reason,
                "lifted_at_0": now.date().isoformat(),
                "lifted_at_1": "12:00:00",
            },
        )

        ban.refresh_from_db()
        assert ban.lifted_at is None

    def test_a_ban_made_in_the_admin_is_logged(self):
        client, moderator = staff_client(Role.MODERATOR)
        citizen = UserFactory()

        response = client.post(
            reverse("admin:moderation_ban_add"), {"user": citizen.pk, "reason": "Trusler"}
        )

        assert response.status_code == 302
        ban = Ban.objects.get()
        assert (ban.user, ban.created_by) == (citizen, moderator)
        entry = ModerationLogEntry.objects.get()
        assert (entry.action, entry.moderator, entry.ban) == (Action.BANNED, moderator, ban)

    def test_a_ban_in_the_admin_needs_someone_to_ban(self):
        client, _moderator = staff_client(Role.MODERATOR)

        response = client.post(reverse("admin:moderation_ban_add"), {"reason": "Trusler"})

        assert response.status_code == 200
        assert not Ban.objects.exists()
