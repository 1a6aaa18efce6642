"""Threaded comments on anything (a debate, a proposal, a meeting's live blog), and votes."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 5000
MAX_DEPTH = 3  # a reply to a comment at depth 3 attaches to it, so threads stay readable
EDIT_WINDOW = timedelta(minutes=10)
IMAGE_MAX_BYTES = 5 * 1024 * 1024


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        REMOVED_BY_AUTHOR = "removed_by_author", _("Deleted by the author")
        HIDDEN = "hidden", _("Hidden by a moderator")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("replies to"),
    )
    depth = models.PositiveSmallIntegerField(default=1, verbose_name=_("depth"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    # A viewer without an account writes under a display name; viewer_key is the hashed
    # browser token (core.viewer), never the token itself.
    author_name = models.CharField(_("name"), max_length=60, blank=True)
    viewer_key = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name=_("viewer key")
    )
    body = models.TextField(_("comment"), max_length=MAX_LENGTH)
    body_html = models.TextField(blank=True, verbose_name=_("text as HTML"))
    image = models.ImageField(_("picture"), upload_to="comments/%Y/%m/", blank=True)
    image_alt = models.CharField(_("picture description"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PUBLISHED, db_index=True
    )
    # Why the post was held or removed, shown to moderators (and in the author's e-mail).
    moderation_reason = models.CharField(_("reason"), max_length=300, blank=True)
    spam_score = models.FloatField(default=0, verbose_name=_("spam score"))
    is_spam = models.BooleanField(_("spam"), default=False)
    report_count = models.PositiveIntegerField(default=0, verbose_name=_("report count"))
    agree_count = models.PositiveIntegerField(default=0, verbose_name=_("agree count"))
    disagree_count = models.PositiveIntegerField(default=0, verbose_name=_("disagree count"))
    language = models.CharField(max_length=8, blank=True, verbose_name=_("language"))
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("created at")
    )
    edited_at = models.DateTimeField(null=True, blank=True, verbose_name=_("edited at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    # Citizens' reports of this comment (moderation's rows on any target).
    reports = GenericRelation("moderation.Report", related_query_name="comment")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["content_type", "object_id", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(depth__gte=1, depth__lte=MAX_DEPTH),
                name="comments_comment_depth_limited",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.body[:60]}"

    @property
    def display_name(self) -> str:
        if self.author is not None:
            return self.author.public_name
        return self.author_name or str(_("Anonymous viewer"))

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.REMOVED_BY_AUTHOR

    @property
    def support(self) -> int:
        return self.agree_count - self.disagree_count

    def editable_until(self):
        return self.created_at + EDIT_WINDOW

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class CommentVote(models.Model):
    """One agree/disagree per voter (account or viewer key), enforced by the database."""

    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    # "user:<pk>" for an account, the viewer key for a viewer without one.
    voter_key = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    value = models.SmallIntegerField(choices=Value)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment vote")
        verbose_name_plural = _("comment votes")
        constraints = [
            models.UniqueConstraint(fields=["comment", "voter_key"], name="comments_one_vote_each"),
            models.CheckConstraint(
                condition=models.Q(value__in=[1, -1]), name="comments_vote_value_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_key[:12]} {self.value:+d} on {self.comment_id}"
