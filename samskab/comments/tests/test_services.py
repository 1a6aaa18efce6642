"""Posting, replying, editing, deleting and voting, with every refusal the issue names."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from samskab.accounts.tests.factories import UserFactory
from samskab.comments import services
from samskab.comments.models import Comment, CommentVote
from samskab.comments.services import CommentError
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.moderation.models import (
    Ban,
    Mode,
    ModerationLogEntry,
    ModerationPolicy,
    RestrictedWord,
    TrustedAuthor,
)


def policy(target, mode=Mode.POST, allow_anonymous=False):
    return ModerationPolicy.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        mode=mode,
        allow_anonymous=allow_anonymous,
    )


@pytest.fixture
def published(monkeypatch):
    """The live events sent, as (channel, event, data)."""
    sent = []
    monkeypatch.setattr(
        "samskab.live.publish_on_commit",
        lambda channel, event, data: sent.append((channel, event, data)),
    )
    return sent


def png_bytes(size=(10, 10), fmt="PNG", **save):
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, fmt, **save)
    return out.getvalue()


@pytest.mark.django_db
class TestPosting:
    def test_it_publishes_at_once_under_post_moderation_and_tells_the_meetings_viewers(
        self, published
    ):
        meeting = MeetingFactory()
        comment = services.comment_post(target=meeting, body="Godt møde", author=UserFactory())
        assert comment.status == Comment.Status.PUBLISHED
        assert [(c, e) for c, e, _d in published] == [(meeting.channel, "comment")]
        assert "Godt møde" in published[0][2]["html"]

    def test_it_holds_everything_under_pre_moderation_and_tells_the_moderators(self, published):
        meeting = MeetingFactory()
        policy(meeting, Mode.PRE)
        comment = services.comment_post(target=meeting, body="Hej", author=UserFactory())
        assert comment.status == Comment.Status.PENDING
        assert [(c, e) for c, e, _d in published] == [("moderation:queue", "queue")]
        assert ModerationLogEntry.objects.get().action == ModerationLogEntry.Action.HELD

    def test_it_refuses_a_closed_conversation_and_stores_nothing(self):
        meeting = MeetingFactory()
        policy(meeting, Mode.CLOSED)
        with pytest.raises(CommentError, match="closed"):
            services.comment_post(target=meeting, body="Hej", author=UserFactory())
        assert not Comment.objects.exists()

    def test_it_refuses_a_comment_of_100000_characters(self):
        with pytest.raises(CommentError, match="5000"):
            services.comment_post(target=MeetingFactory(), body="x" * 100_000, author=UserFactory())
        assert not Comment.objects.exists()

    def test_it_refuses_an_empty_comment(self):
        with pytest.raises(CommentError):
            services.comment_post(target=MeetingFactory(), body=" \n ", author=UserFactory())

    def test_hostile_html_is_never_stored_as_markup(self):
        comment = services.comment_post(
            target=MeetingFactory(),
            body="<script>alert(1)</script><img src=x onerror=alert(2)> [a](javascript:alert(3))",
            author=UserFactory(),
        )
        assert "<script" not in comment.body_html
        assert "<img" not in comment.body_html
        assert 'href="javascript' not in comment.body_html
        assert "&lt;script&gt;" in comment.body_html  # shown as text, not run

    def test_a_viewer_without_account_is_refused_where_the_place_does_not_allow_it(self):
        with pytest.raises(CommentError, match="Sign in"):
            services.comment_post(
                target=MeetingFactory(), body="Hej", author_name="Ole", viewer_key="k" * 64
            )
        assert not Comment.objects.exists()

    def test_a_viewer_posts_under_a_display_name_where_allowed(self):
        meeting = MeetingFactory()
        policy(meeting, allow_anonymous=True)
        comment = services.comment_post(
            target=meeting, body="Hej fra sofaen", author_name="  Ole  ", viewer_key="k" * 64
        )
        assert comment.display_name == "Ole"
        assert comment.author is None

    def test_a_banned_account_cannot_post(self):
        user = UserFactory()
        Ban.objects.create(user=user, reason="trolling")
        with pytest.raises(CommentError, match="no longer post"):
            services.comment_post(target=MeetingFactory(), body="Hej", author=user)

    def test_a_timed_ban_ends(self):
        user = UserFactory()
        Ban.objects.create(user=user, reason="x", until=timezone.now() + timedelta(days=1))
        meeting = MeetingFactory()
        with pytest.raises(CommentError, match="until"):
            services.comment_post(target=meeting, body="Hej", author=user)
        with time_machine.travel(timezone.now() + timedelta(days=2)):
            assert services.comment_post(target=meeting, body="Hej", author=user).pk

    def test_a_banned_viewer_key_cannot_post(self):
        meeting = MeetingFactory()
        policy(meeting, allow_anonymous=True)
        Ban.objects.create(viewer_key="v" * 64, reason="spam")
        with pytest.raises(CommentError):
            services.comment_post(target=meeting, body="Hej", author_name="X", viewer_key="v" * 64)

    def test_a_restricted_word_that_rejects_stores_nothing_but_is_logged(self):
        RestrictedWord.objects.create(language="da", pattern="skurk*", action="reject")
        with pytest.raises(CommentError, match="not allowed"):
            services.comment_post(
                target=MeetingFactory(), body="I er skurke", author=UserFactory(), language="da"
            )
        assert not Comment.objects.exists()
        assert ModerationLogEntry.objects.get().action == ModerationLogEntry.Action.AUTO_REJECTED

    def test_a_restricted_word_that_holds_holds_even_a_trusted_author(self):
        RestrictedWord.objects.create(language="da", pattern="fjols", action="hold")
        user = UserFactory()
        TrustedAuthor.objects.create(user=user)
        comment = services.comment_post(
            target=MeetingFactory(), body="Sikke et fjols", author=user, language="da"
        )
        assert comment.status == Comment.Status.PENDING
        assert "fjols" in comment.moderation_reason

    def test_a_trusted_author_skips_pre_moderation(self):
        meeting = MeetingFactory()
        policy(meeting, Mode.PRE)
        user = UserFactory()
        TrustedAuthor.objects.create(user=user)
        assert services.comment_post(target=meeting, body="Hej", author=user).is_visible

    def test_a_suspicious_post_is_held_by_its_spam_score(self):
        links = " ".join(f"https://x{i}.example" for i in range(6))
        comment = services.comment_post(target=MeetingFactory(), body=links, author=UserFactory())
        assert comment.status == Comment.Status.PENDING
        assert comment.moderation_reason.startswith("spam score")


@pytest.mark.django_db
class TestReplies:
    def test_replies_deeper_than_three_levels_go_flat_under_the_third(self):
        meeting = MeetingFactory()
        user = UserFactory()
        one = services.comment_post(target=meeting, body="1", author=user)
        two = services.comment_post(target=meeting, body="2", author=user, parent=one)
        three = services.comment_post(target=meeting, body="3", author=user, parent=two)
        four = services.comment_post(target=meeting, body="4", author=user, parent=three)
        assert (two.depth, three.depth, four.depth) == (2, 3, 3)
        assert four.parent == two

    def test_it_refuses_a_reply_to_another_place(self):
        parent = CommentFactory()
        with pytest.raises(CommentError):
            services.comment_post(
                target=MeetingFactory(), body="x", author=UserFactory(), parent=parent
            )


@pytest.mark.django_db
class TestEditingAndDeleting:
    def test_the_author_can_edit_within_ten_minutes_and_it_is_marked_edited(self):
        comment = CommentFactory()
        with time_machine.travel(comment.created_at + timedelta(minutes=9)):
            services.comment_edit(comment=comment, body="**Rettet**")
        comment.refresh_from_db()
        assert comment.edited_at is not None
        assert "<strong>Rettet</strong>" in comment.body_html

    def test_it_refuses_an_edit_after_ten_minutes(self):
        comment = CommentFactory()
        with (
            time_machine.travel(comment.created_at + timedelta(minutes=11)),
            pytest.raises(CommentError, match="10 minutes"),
        ):
            services.comment_edit(comment=comment, body="for sent")
        comment.refresh_from_db()
        assert comment.edited_at is None

    def test_deleting_leaves_a_mark_without_the_text(self):
        comment = CommentFactory(body="hemmeligt")
        services.comment_delete(comment=comment)
        comment.refresh_from_db()
        assert comment.status == Comment.Status.REMOVED_BY_AUTHOR
        assert comment.body == "" and comment.body_html == ""


@pytest.mark.django_db
class TestVoting:
    def test_a_vote_moves_the_counter_and_a_second_vote_is_refused(self):
        comment = CommentFactory()
        user = UserFactory()
        services.comment_vote(comment=comment, value=1, user=user)
        with pytest.raises(CommentError, match="already"):
            services.comment_vote(comment=comment, value=-1, user=user)
        comment.refresh_from_db()
        assert (comment.agree_count, comment.disagree_count) == (1, 0)
        assert CommentVote.objects.count() == 1

    def test_viewers_vote_by_their_key_and_counts_agree_with_a_recount(self):
        comment = CommentFactory()
        for i in range(3):
            services.comment_vote(comment=comment, value=-1, viewer_key=f"{i}" * 64)
        services.comment_vote(comment=comment, value=1, user=UserFactory())
        comment.refresh_from_db()
        before = (comment.agree_count, comment.disagree_count)
        services.comment_counts_recount(comment=comment)
        comment.refresh_from_db()
        assert before == (comment.agree_count, comment.disagree_count) == (1, 3)

    def test_it_refuses_a_vote_on_a_held_comment(self):
        comment = CommentFactory(status=Comment.Status.PENDING)
        with pytest.raises(CommentError):
            services.comment_vote(comment=comment, value=1, user=UserFactory())


@pytest.mark.django_db
class TestImages:
    def test_a_picture_is_shrunk_and_its_metadata_removed(self):
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # camera make
        data = png_bytes((3000, 1000), "JPEG", exif=exif.tobytes())
        comment = services.comment_post(
            target=MeetingFactory(),
            body="Se",
            author=UserFactory(),
            image=SimpleUploadedFile("x.jpg", data, "image/jpeg"),
            image_alt="Et rødt felt",
        )
        with Image.open(comment.image.path) as stored:
            assert max(stored.size) == 1600
            assert not stored.getexif()
        with open(comment.image.path, "rb") as stored_file:
            assert b"SpyCam" not in stored_file.read()

    def test_a_file_that_only_pretends_to_be_a_picture_is_refused(self):
        fake = SimpleUploadedFile("x.png", b"<?php system($_GET['c']); ?>", "image/png")
        with pytest.raises(CommentError, match="not a picture"):
            services.comment_post(
                target=MeetingFactory(), body="Se", author=UserFactory(), image=fake
            )
        assert not Comment.objects.exists()

    def test_a_50_mb_file_is_refused(self):
        big = SimpleUploadedFile("x.png", png_bytes() + b"\0" * (50 * 1024 * 1024), "image/png")
        with pytest.raises(CommentError, match="too large"):
            services.comment_post(
                target=MeetingFactory(), body="Se", author=UserFactory(), image=big
            )
        assert not Comment.objects.exists()
