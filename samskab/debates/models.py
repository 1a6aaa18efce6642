"""Debates (MISSION C1): a citizen opens a question, others agree or disagree and comment.

Counters on a debate (votes, unverified votes, comments, the hot score) are kept in the same
transaction as the rows they count and can always be recounted from them
(`services.debate_recount`, the `debates_rescore` command).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 150
TEXT_MAX = 6000


class Area(models.Model):
    """A part of the municipality a debate may be about (a district, a town)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Debate(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    text_html = models.TextField(_("text as shown"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="debates",
        verbose_name=_("author"),
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="debates",
        verbose_name=_("area"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="debates", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    # Hidden by staff: gone for the public, kept for staff and the author's data export.
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    featured_at = models.DateTimeField(_("featured"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    agree_count = models.PositiveIntegerField(_("agree"), default=0)
    disagree_count = models.PositiveIntegerField(_("disagree"), default=0)
    # Votes from accounts that were not verified residents when they voted (the cap's share).
    unverified_vote_count = models.PositiveIntegerField(
        _("votes from unverified accounts"), default=0
    )
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    hot_score = models.FloatField(_("hot score"), default=0, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    unverified_vote_count__lte=models.F("agree_count") + models.F("disagree_count")
                ),
                name="debates_unverified_votes_within_votes",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("debates:detail", args=[self.pk])

    @property
    def vote_count(self) -> int:
        return self.agree_count + self.disagree_count

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.hidden_at is None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_featured(self) -> bool:
        return self.featured_at is not None

    def agree_percent(self) -> int:
        return round(100 * self.agree_count / self.vote_count) if self.vote_count else 0


class DebateVote(models.Model):
    """One agree or disagree per person and debate, enforced by the database."""

    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="debate_votes"
    )
    value = models.SmallIntegerField(choices=Value)
    # Whether the voter was a verified resident when the vote was first cast: the cap counts
    # votes as they were given, so verifying later does not shift the share back and forth.
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("debate vote")
        verbose_name_plural = _("debate votes")
        # "Most active" counts each debate's votes of the last week.
        indexes = [models.Index(fields=["debate", "updated_at"])]
        constraints = [
            models.UniqueConstraint(fields=["debate", "user"], name="debates_one_vote_per_person"),
            models.CheckConstraint(
                condition=models.Q(value__in=[1, -1]), name="debates_vote_is_agree_or_disagree"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_value_display()} {self.debate_id}"
