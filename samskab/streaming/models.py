"""Stream keys for the encoder and restream destinations, with each destination's state."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samskab.streaming import crypto
from samskab.streaming.reasons import reason_text
from samskab.webcasts.models import Body, Meeting


class MeetingStream(models.Model):
    """The secret stream key an encoder publishes a meeting's feed with."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="stream", verbose_name=_("meeting")
    )
    key_encrypted = models.TextField(editable=False, verbose_name=_("encrypted key"))
    key_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("key hash")
    )
    publishing_since = models.DateTimeField(_("receiving since"), null=True, blank=True)
    # The UDP port `samskab ingest --srt-port` listens on for this meeting's encoder (SRT),
    # given out while the meeting is near; the stream key is the SRT passphrase.
    srt_port = models.PositiveIntegerField(_("SRT port"), null=True, blank=True, unique=True)

    class RecordingChoice(models.TextChoices):
        ASK = "", _("Refuse a new feed")
        CONTINUE = "continue", _("Continue the recording")
        REPLACE = "replace", _("Replace the recording")

    # What a feed into a meeting that already has a recording does (services.ingest_admit).
    recording_choice = models.CharField(
        _("when the meeting already has a recording"),
        max_length=8,
        choices=RecordingChoice,
        default=RecordingChoice.ASK,
        blank=True,
    )
    refused_at = models.DateTimeField(_("feed refused (existing recording)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    rotated_at = models.DateTimeField(_("key changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("stream key")
        verbose_name_plural = _("stream keys")

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def key(self) -> str:
        return crypto.decrypt(self.key_encrypted)


class Destination(models.Model):
    """Where the encoder's feed is also sent: YouTube, Facebook Live or any RTMP server."""

    class Kind(models.TextChoices):
        YOUTUBE = "youtube", _("YouTube")
        FACEBOOK = "facebook", _("Facebook Live")
        RTMP = "rtmp", _("Other RTMP server")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.YOUTUBE)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="destinations",
        verbose_name=_("meeting"),
        help_text=_("Only this meeting. Leave empty and choose a body for all its meetings."),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="destinations",
        verbose_name=_("body"),
        help_text=_("Every meeting of this body."),
    )
    server_url = models.CharField(
        _("server address"),
        max_length=500,
        blank=True,
        help_text=_(
            "Leave empty for YouTube and Facebook to use their usual address. "
            "Starts with rtmp:// or rtmps://."
        ),
    )
    key_encrypted = models.TextField(blank=True, editable=False, verbose_name=_("encrypted key"))
    key_hint = models.CharField(_("stream key"), max_length=8, blank=True, editable=False)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("restream destination")
        verbose_name_plural = _("restream destinations")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, body__isnull=True)
                | Q(meeting__isnull=True, body__isnull=False),
                name="streaming_destination_meeting_or_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def stream_key(self) -> str:
        return crypto.decrypt(self.key_encrypted)


class DestinationStatus(models.Model):
    """How sending one meeting to one destination goes, as the ingest last reported it."""

    class State(models.TextChoices):
        CONNECTING = "connecting", _("Connecting")
        LIVE = "live", _("Live")
        FAILED = "failed", _("Failed")
        STOPPED = "stopped", _("Stopped")

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="states")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=State)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("destination state")
        verbose_name_plural = _("destination states")
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "meeting"], name="streaming_status_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.destination}: {self.state}"

    def reason_text(self) -> str:
        """The reason in the reader's words and language (the technical one is in the log)."""
        return reason_text(self.reason)
