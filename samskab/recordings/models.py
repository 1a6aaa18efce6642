"""The archive side of a meeting's video: uploads, clips, redactions, retention and its log.

Offsets are milliseconds into the meeting's recording, as in webcasts.TimelineMark.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samskab.webcasts.models import AgendaItem, Body, Meeting, Person


class Retention(models.TextChoices):
    NONE = "none", _("No archive")
    DAYS = "days", _("Keep for a number of days")
    KEEP = "keep", _("Keep")


class RetentionPolicy(models.Model):
    """How long a body's recordings are kept. A body without one keeps them."""

    body = models.OneToOneField(
        Body, on_delete=models.CASCADE, related_name="retention_policy", verbose_name=_("body")
    )
    mode = models.CharField(_("archive"), max_length=8, choices=Retention, default=Retention.KEEP)
    days = models.PositiveIntegerField(_("days"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode="days") | Q(days__isnull=False),
                name="recordings_policy_days_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.mode}"


class ArchiveState(models.Model):
    """Per meeting: the retention override, whether the recording is hidden or removed."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="archive")
    retention_mode = models.CharField(
        _("archive"),
        max_length=8,
        choices=Retention,
        blank=True,
        help_text=_("Empty: as the body."),
    )
    retention_days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    is_unpublished = models.BooleanField(_("recording hidden"), default=False)
    unpublished_at = models.DateTimeField(null=True, blank=True)
    # While hidden or removed, the meeting's video kind is "none"; this is what it was.
    hidden_video_kind = models.CharField(max_length=16, blank=True)
    hidden_video_url = models.URLField(max_length=500, blank=True)
    removed_at = models.DateTimeField(_("recording removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("archive state")
        verbose_name_plural = _("archive states")

    def __str__(self) -> str:
        return f"{self.meeting_id}"

    def effective_retention(self, policy: RetentionPolicy | None) -> tuple[str, int | None]:
        if self.retention_mode:
            return self.retention_mode, self.retention_days
        if policy is not None:
            return policy.mode, policy.days
        return Retention.KEEP, None


def retention_due_at(meeting: Meeting, mode: str, days: int | None) -> datetime | None:
    """When the recording is to be removed, or None when it is kept."""
    ended = meeting.ends_at or meeting.starts_at
    if mode == Retention.NONE:
        return ended
    if mode == Retention.DAYS and days is not None:
        return ended + timedelta(days=days)
    return None


class Job(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Working")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Upload(models.Model):
    """A recording an editor uploaded for a past meeting, and its packaging to HLS."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="uploads")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    staged_path = models.CharField(max_length=500, blank=True)
    container = models.CharField(max_length=64, blank=True)
    video_codec = models.CharField(max_length=32, blank=True)
    audio_codec = models.CharField(max_length=32, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    copied = models.BooleanField(_("packaged without re-encoding"), default=False)
    status = models.CharField(max_length=8, choices=Job, default=Job.WAITING)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("uploaded recording")
        verbose_name_plural = _("uploaded recordings")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.original_name}"

    @property
    def is_active(self) -> bool:
        return self.status in {Job.WAITING, Job.RUNNING}


class Clip(models.Model):
    """A range of a meeting's recording with its own page; later reused by presentations."""

    class Source(models.TextChoices):
        ITEM = "item", _("Agenda item")
        TURN = "turn", _("Speaker turn")
        RANGE = "range", _("Chosen in and out points")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="clips", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=200)
    start_ms = models.PositiveIntegerField(_("start (ms)"))
    end_ms = models.PositiveIntegerField(_("end (ms)"))
    source_kind = models.CharField(
        max_length=8, choices=Source, default=Source.RANGE, verbose_name=_("source")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clips",
        verbose_name=_("agenda item"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="clips"
    )
    mp4_status = models.CharField(_("MP4 file"), max_length=8, choices=Job, default=Job.WAITING)
    mp4_error = models.TextField(_("MP4 error"), blank=True)
    # Set when an upload replaced the video the clip was cut from: its times point into the
    # old video, so it is off the site until staff cut it again or delete it (finding 19).
    video_replaced_at = models.DateTimeField(_("video replaced at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["meeting", "start_ms", "pk"]
        verbose_name = _("clip")
        verbose_name_plural = _("clips")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_ms__gt=models.F("start_ms")), name="recordings_clip_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("recordings:clip", kwargs={"pk": self.meeting_id, "clip_pk": self.pk})

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


class Redaction(models.Model):
    """A range removed from the archive (cut out, or black picture and silence), with why."""

    class Mode(models.TextChoices):
        CUT = "cut", _("Cut the range out")
        BLACK = "black", _("Black picture and silence")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="redactions")
    start_ms = models.PositiveIntegerField(_("start (ms)"))
    end_ms = models.PositiveIntegerField(_("end (ms)"))
    mode = models.CharField(_("how"), max_length=8, choices=Mode, default=Mode.BLACK)
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=8, choices=Job, default=Job.WAITING)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    marks_shifted = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_ms__gt=models.F("start_ms")),
                name="recordings_redaction_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.start_ms}-{self.end_ms} {self.mode}"


class ArchiveLogEntry(models.Model):
    """What happened to a recording, kept after the recording (and the meeting) is gone."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Recording uploaded")
        PACKAGED = "packaged", _("Recording packaged")
        FAILED = "failed", _("Processing failed")
        CLIP = "clip", _("Clip made")
        REDACTED = "redacted", _("Range redacted")
        UNPUBLISHED = "unpublished", _("Recording hidden")
        PUBLISHED = "published", _("Recording shown again")
        RETENTION = "retention", _("Retention changed")
        REMOVED = "removed", _("Recording removed by retention")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        related_name="archive_log",
        verbose_name=_("meeting"),
    )
    meeting_title = models.CharField(max_length=300, verbose_name=_("meeting title"))
    action = models.CharField(max_length=16, choices=Action, verbose_name=_("action"))
    # A msgid (gettext_noop) with its values in `params`, so staff read it in their own
    # language; entries written before are plain English text, shown as they are.
    detail = models.TextField(blank=True, verbose_name=_("detail"))
    params = models.JSONField(default=dict, blank=True, verbose_name=_("values of the detail"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("time"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("archive log entry")
        verbose_name_plural = _("archive log entries")

    # Values that are msgids themselves (a reason in words), translated and then given the
    # other values ("%(days)s").
    TRANSLATED_PARAMS = frozenset({"how", "reason_msgid"})

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.meeting_title}"

    def detail_text(self) -> str:
        """The detail in the reader's language."""
        if not self.detail:
            return ""
        params = self.params or {}
        try:
            values = {
                key: gettext(value) % params
                if key in self.TRANSLATED_PARAMS and isinstance(value, str)
                else value
                for key, value in params.items()
            }
            return gettext(self.detail) % values if values else gettext(self.detail)
        except (KeyError, TypeError, ValueError):  # an older entry's text with a "%" in it
            return self.detail
