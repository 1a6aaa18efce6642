"""The moderation admin in the staff member's language (staff walk finding 10): a ban is
named by the person and a local date, a policy by its place, and a policy's kind of place
is chosen among the places moderation knows."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.moderation.models import Ban, Mode, ModerationPolicy
from samskab.webcasts.tests.factories import MeetingFactory


def a_ban(**kwargs) -> Ban:
    return Ban.objects.create(reason="chikane", **kwargs)


@pytest.mark.django_db
class TestBanNames:
    def test_it_names_the_person_and_the_end_in_danish_local_time(self):
        ban = a_ban(
            user=UserFactory(display_name="Jens Hansen"),
            until=datetime(2026, 12, 13, 16, 29, 17, tzinfo=UTC),
        )

        with translation.override("da"):
            assert str(ban) == "Jens Hansen, indtil 13. december 2026 17:29"

    def test_it_names_a_viewer_without_an_account_without_the_key(self):
        ban = a_ban(viewer_key="63e9e637aa")

        with translation.override("da"):
            name = str(ban)

        assert name == "anonym seer, permanent"

    def test_it_reads_in_english(self):
        ban = a_ban(viewer_key="63e9e637aa", until=datetime(2026, 12, 13, 16, 29, tzinfo=UTC))

        with translation.override("en"):
            assert str(ban) == "anonymous viewer, until Dec. 13, 2026, 5:29 p.m."


@pytest.mark.django_db
class TestPolicies:
    def test_a_policy_is_named_by_its_place_in_words(self):
        meeting = MeetingFactory(title="Byrådsmøde")
        policy = ModerationPolicy.objects.create(target=meeting, mode=Mode.PRE)

        with translation.override("da"):
            name = str(policy)

        assert name.startswith("Møde: ")
        assert "Byrådsmøde" in name
        assert "meeting" not in name

    def test_the_kind_of_place_offers_only_places(self):
        staff = StaffFactory(role=Role.MODERATOR)
        with_totp(staff)
        client = Client(HTTP_ACCEPT_LANGUAGE="da")
        client.force_login(staff)

        form = client.get(reverse("admin:moderation_moderationpolicy_add")).context["adminform"]
        offered = set(form.form.fields["content_type"].queryset)

        assert ContentType.objects.get_by_natural_key("webcasts", "meeting") in offered
        assert ContentType.objects.get_by_natural_key("budgets", "budget") in offered
        assert ContentType.objects.get_by_natural_key("comments", "comment") not in offered
        assert ContentType.objects.get_by_natural_key("moderation", "ban") not in offered


@pytest.mark.django_db
class TestWhyAPostIsHeld:
    """Staff walk finding 34: "Tilbageholdt fordi: pre-moderation"."""

    def test_the_queue_says_it_in_danish(self):
        from samskab.comments.models import Comment
        from samskab.comments.tests.factories import CommentFactory
        from samskab.moderation import screening

        meeting = MeetingFactory()
        ModerationPolicy.objects.create(target=meeting, mode=Mode.PRE)
        verdict = screening.screen(target=meeting, text="Hej", user=UserFactory())
        CommentFactory(
            target=meeting, status=Comment.Status.PENDING, moderation_reason=verdict.reason
        )
        staff = StaffFactory(role=Role.MODERATOR)
        with_totp(staff)
        client = Client(HTTP_ACCEPT_LANGUAGE="da")
        client.force_login(staff)

        page = client.get(reverse("moderation:queue")).content.decode()

        assert "Tilbageholdt fordi: forhåndsmoderation" in page

    @pytest.mark.parametrize(
        ("reason", "danish"),
        [
            ("restricted word: idiot*", "forbudt ord: idiot*"),
            ("spam score: links, new account", "spamscore: mange links, en ny konto"),
            ("Spam i kommentarfeltet", "Spam i kommentarfeltet"),  # a moderator's own words
        ],
    )
    def test_each_kind_of_reason_reads_in_danish(self, reason, danish):
        from samskab.moderation.screening import held_reason_text

        with translation.override("da"):
            assert held_reason_text(reason) == danish
