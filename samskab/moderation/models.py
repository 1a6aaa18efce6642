"""Moderation: the mode of each place, bans, reports, restricted words and the log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    PRE = "pre", _("Pre-moderation: nothing is shown until a moderator approves it")
    POST = "post", _("Post-moderation: shown at once, moderators can remove it")
    CLOSED = "closed", _("Closed: no new comments")


class ModerationSettings(models.Model):
    """One row: the site-wide default for places without their own policy."""

    default_mode = models.CharField(
        _("default mode"), max_length=8, choices=Mode, default=Mode.POST
    )
    reports_to_queue = models.PositiveSmallIntegerField(
        _("reports that send a post back to the queue"),
        null=True,
        blank=True,
        help_text=_(
            "Reports from this many different signed-in accounts take a published post off "
            "the site and send it back to the queue; reports without an account never do "
            "(they show the post in the queue). Empty means the installation's default "
            "(MODERATION_REPORTS_TO_QUEUE)."
        ),
    )

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return str(_("Moderation settings"))

    @classmethod
    def current(cls) -> "ModerationSettings":
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()

    @property
    def report_threshold(self) -> int:
        return self.reports_to_queue or settings.MODERATION_REPORTS_TO_QUEUE


class ModerationPolicy(models.Model):
    """The mode of one place (a meeting's live blog, a debate, a proposal)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of place")
    )
    object_id = models.PositiveBigIntegerField(_("place number"))
    target = GenericForeignKey("content_type", "object_id")
    mode = models.CharField(_("mode"), max_length=8, choices=Mode, default=Mode.POST)
    allow_anonymous = models.BooleanField(
        _("viewers without an account may post"),
        default=False,
        help_text=_("Under a display name, with a proof of work and a rate limit."),
    )

    class Meta:
        verbose_name = _("moderation policy")
        verbose_name_plural = _("moderation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="moderation_one_policy_per_place"
            )
        ]

    def __str__(self) -> str:
        # "Meeting: Byrådsmøde 12. december: Pre-moderation...", not "meeting 2".
        model = self.content_type.model_class()
        kind = model._meta.verbose_name if model is not None else self.content_type.model
        place = self.target
        named = str(place) if place is not None else f"#{self.object_id}"
        return f"{str(kind).capitalize()}: {named}: {self.get_mode_display()}"


class Ban(models.Model):
    """An author who may not post: by account or by viewer key, until a time or for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_bans",
        verbose_name=_("account"),
    )
    viewer_key = models.CharField(_("viewer key"), max_length=64, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=300)
    until = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("Empty: for good."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("banned by"),
    )
    created_at = models.DateTimeField(_("banned at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(user=None, viewer_key=""), name="moderation_ban_has_someone"
            )
        ]

    def __str__(self) -> str:
        # The person, not a hash; the end in the reader's language and time zone.
        who = self.user.public_name if self.user is not None else _("anonymous viewer")
        if self.until is None:
            return str(_("%(who)s, for good") % {"who": who})
        until = date_format(timezone.localtime(self.until), "DATETIME_FORMAT")
        return str(_("%(who)s, until %(until)s") % {"who": who, "until": until})


class TrustedAuthor(models.Model):
    """A citizen whose posts skip holding (spam score, pre-moderation) but not the rules."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderation_trust",
        verbose_name=_("account"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("trusted by"),
    )
    created_at = models.DateTimeField(_("trusted since"), auto_now_add=True)

    class Meta:
        verbose_name = _("trusted author")
        verbose_name_plural = _("trusted authors")

    def __str__(self) -> str:
        return str(self.user)


class RestrictedWord(models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for a moderator")
        REJECT = "reject", _("Reject")

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    pattern = models.CharField(
        _("word"), max_length=100, help_text=_("* matches any letters, e.g. idiot* or *svin.")
    )
    action = models.CharField(_("action"), max_length=8, choices=Action, default=Action.HOLD)

    class Meta:
        ordering = ["language", "pattern"]
        verbose_name = _("restricted word")
        verbose_name_plural = _("restricted words")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "pattern"], name="moderation_restricted_word_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pattern} ({self.language}, {self.get_action_display()})"


class ReportQuerySet(models.QuerySet):
    def open(self) -> "ReportQuerySet":
        return self.filter(resolved_at=None)

    def by_accounts(self) -> "ReportQuerySet":
        return self.filter(reporter_key__startswith=Report.ACCOUNT_PREFIX)


class Report(models.Model):
    """A citizen's "report this" on any target registered with "report" (a comment, an
    idea...); one per reporter and target.

    `reporter_key` is "user:<pk>" for a signed-in account (only these count towards holding
    a post), else the viewer cookie's key or "address:<address pseudonym>".
    """

    ACCOUNT_PREFIX = "user:"

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Harassment or hateful language")
        ILLEGAL = "illegal", _("Illegal content")
        PERSONAL = "personal", _("Personal information about someone")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    # The target (core.targets); the rows go with it (targets.register_table).
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reporter_key = models.CharField(max_length=80)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter_key"],
                name="moderation_one_report_each",
            )
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "resolved_at"],
                name="moderation_report_target_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.content_type_id}:{self.object_id})"


class ModerationLogEntry(models.Model):
    class Action(models.TextChoices):
        HELD = "held", _("Held automatically")
        AUTO_REJECTED = "auto_rejected", _("Rejected automatically")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        HIDDEN = "hidden", _("Hidden")
        RESTORED = "restored", _("Shown again")
        EDITED = "edited", _("Edited")
        SPAM = "spam", _("Marked as spam")
        BANNED = "banned", _("Author banned")
        UNBANNED = "unbanned", _("Ban lifted")
        REPORTED_TO_QUEUE = "reported", _("Sent back to the queue by reports")
        MODE_CHANGED = "mode", _("Mode changed")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # What was acted on, any target; the entry stays when the target is deleted (the
    # excerpt below still says what it was).
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of content"),
    )
    object_id = models.PositiveBigIntegerField(_("content number"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    ban = models.ForeignKey(
        Ban,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ban"),
    )
    # What the post said at the time, so the log still reads when the post is gone.
    excerpt = models.CharField(_("excerpt"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="moderation_log_target_idx")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"
