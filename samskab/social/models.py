"""The municipality's social accounts, the posts announcing its meetings, and the live
broadcasts on YouTube and Facebook made for them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from samskab.social import crypto
from samskab.webcasts.models import Body, Meeting


class Network(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    LINKEDIN = "linkedin", "LinkedIn"
    YOUTUBE = "youtube", "YouTube"


# Networks that take posts, and those a meeting can go live on.
POSTING = (Network.MASTODON, Network.BLUESKY, Network.X, Network.FACEBOOK, Network.LINKEDIN)
LIVE = (Network.YOUTUBE, Network.FACEBOOK)


class Account(models.Model):
    """One account of the municipality on one network, connected once by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the network's approval")
        CONNECTED = "connected", _("Connected")
        BROKEN = "broken", _("Connection broken")

    network = models.CharField(_("network"), max_length=16, choices=Network)
    name = models.CharField(_("name"), max_length=100, help_text=_("What staff call it here."))
    # Mastodon: the server (https://mastodon.example); Bluesky: the PDS (https://bsky.social).
    server_url = models.URLField(_("server address"), max_length=300, blank=True)
    handle = models.CharField(_("account on the network"), max_length=200, blank=True)
    # The Page id (Facebook), organisation URN (LinkedIn), DID (Bluesky), channel (YouTube).
    external_id = models.CharField(_("id on the network"), max_length=200, blank=True)
    client_id = models.CharField(_("app id (client id)"), max_length=300, blank=True)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    expires_at = models.DateTimeField(_("access expires"), null=True, blank=True)
    # The authorization under way: the state sent to the network and the PKCE verifier.
    oauth_state = models.CharField(max_length=64, blank=True, editable=False)
    pkce_verifier_encrypted = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, db_default="pending"
    )
    # Mastodon: the limits the account's server states (limits.server_limits), read when the
    # account is connected; empty means the defaults.
    server_limits = models.JSONField(default=dict, blank=True, editable=False)
    problem = models.CharField(_("problem"), max_length=500, blank=True)
    problem_at = models.DateTimeField(_("problem since"), null=True, blank=True)
    announces = models.BooleanField(
        _("announces meetings"), default=True, help_text=_("Posts about coming meetings.")
    )
    goes_live = models.BooleanField(
        _("broadcasts meetings live"),
        default=False,
        help_text=_("YouTube and Facebook: each meeting is also broadcast live here."),
    )
    bodies = models.ManyToManyField(
        Body,
        blank=True,
        related_name="+",
        verbose_name=_("councils and committees"),
        help_text=_("Leave empty for all of them."),
    )
    language = models.CharField(
        _("language of the posts"),
        max_length=2,
        choices=[("da", _("Danish")), ("en", _("English"))],
        default="da",
    )
    soon_hours = models.PositiveSmallIntegerField(
        _("reminder, hours before the meeting"), default=3, db_default=3
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["network", "name", "pk"]
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_network_display()})"

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    @property
    def posts(self) -> bool:
        return self.network in POSTING


class MeetingChoice(models.Model):
    """An editor's choice for one meeting: this account is used for it, or not, whatever
    the account's councils and committees say. Only a choice that differs from that default
    is kept, so a later change to the account's councils still reaches other meetings."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="+", verbose_name=_("meeting")
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="meeting_choices",
        verbose_name=_("account"),
    )
    used = models.BooleanField(_("used for this meeting"))

    class Meta:
        verbose_name = _("account chosen for a meeting")
        verbose_name_plural = _("accounts chosen for meetings")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "account"], name="social_choice_once")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.used}"


class Kind(models.TextChoices):
    PUBLISHED = "published", _("The meeting is published")
    SOON = "soon", _("Today's meeting, some hours before")
    LIVE = "live", _("Live now")
    RECORDING = "recording", _("The recording is ready")


class PostTemplate(models.Model):
    """The text of one kind of post, for one council or committee (or all) in one language."""

    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("council or committee"),
        help_text=_("Leave empty for all that have no text of their own."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    language = models.CharField(
        _("language"), max_length=2, choices=[("da", _("Danish")), ("en", _("English"))]
    )
    text = models.TextField(
        _("text"),
        help_text=_(
            "Fill-ins: {title}, {body}, {date}, {time}, {hours}, {place}, {link}, {items}, "
            "{chapters}."
        ),
    )

    class Meta:
        verbose_name = _("post text")
        verbose_name_plural = _("post texts")
        # One text per council, kind and language, and one for all councils (no council):
        # two partial indexes, which SQLite enforces too (NULLS NOT DISTINCT it does not).
        constraints = [
            models.UniqueConstraint(
                fields=["body", "kind", "language"],
                condition=models.Q(body__isnull=False),
                name="social_template_unique",
                violation_error_message=_(
                    "This council already has a text of this kind in this language."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind", "language"],
                condition=models.Q(body__isnull=True),
                name="social_template_unique_default",
                violation_error_message=_(
                    "There is already a text of this kind in this language for all councils."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class Post(models.Model):
    """One post about one meeting on one account: planned, sent once, and its result."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        RETRY = "retry", _("Waiting to try again")
        SENT = "sent", _("Posted")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="+", verbose_name=_("meeting")
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="social_posts", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    due_at = models.DateTimeField(_("to be posted"))
    text = models.TextField(_("text"))
    edited = models.BooleanField(_("edited by staff"), default=False, db_default=False)
    with_picture = models.BooleanField(_("with picture"), default=True, db_default=True)
    picture_alt = models.CharField(_("picture's alt text"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Sent as the network's idempotency key where it has one (Mastodon's Idempotency-Key,
    # Bluesky's record key), so a retry after a lost answer cannot post twice.
    idempotency_key = models.CharField(max_length=64, default="", blank=True, editable=False)
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    remote_id = models.CharField(_("id on the network"), max_length=300, blank=True)
    remote_url = models.URLField(_("address on the network"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        constraints = [
            # Never posted twice: one post per meeting, kind and account.
            models.UniqueConstraint(fields=["meeting", "kind", "account"], name="social_post_once")
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account}"


class PostEvent(models.Model):
    """The log of a post: planned, edited, sent, the network's answer, cancelled."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), db_default=Now())
    what = models.CharField(_("what happened"), max_length=500)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("post log entry")
        verbose_name_plural = _("post log entries")

    def __str__(self) -> str:
        return self.what


class Broadcast(models.Model):
    """A meeting's live broadcast on a YouTube channel or a Facebook Page."""

    class State(models.TextChoices):
        PLANNED = "planned", _("To be created")
        READY = "ready", _("Created, waiting for the meeting")
        TESTING = "testing", _("Testing")
        LIVE = "live", _("Live")
        COMPLETE = "complete", _("Ended")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="+", verbose_name=_("meeting")
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="broadcasts", verbose_name=_("account")
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PLANNED)
    broadcast_id = models.CharField(_("broadcast id"), max_length=200, blank=True)
    stream_id = models.CharField(_("stream id"), max_length=200, blank=True)
    # The restream destination made for it (streaming.Destination); not a foreign key, so
    # deleting one side leaves the other.
    destination_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    public_url = models.URLField(_("public address"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["meeting", "account"]
        verbose_name = _("live broadcast")
        verbose_name_plural = _("live broadcasts")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "account"], name="social_broadcast_once")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_state_display()}"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex
