"""Usage statistics, first-party and without personal data (MISSION D5, issue 25).

`Event` is the raw input: a player's heartbeat or event, or a visit to a process's page.
(Votes, answers, feedback and comments are counted by the roll-up from their own apps'
tables.) It holds no account, no address, no cookie: only a pseudonym of the viewer that
changes every day (`Event.viewer`, a keyed hash of the hashed viewer token and the day), so
that unique viewers can be counted for a day and never followed from one day to the next. The worker
rolls events up into `MinuteStat` and `DayStat` and deletes them after the retention
(`StatsSettings.retention_days`). The aggregates hold counts only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatsSettings(models.Model):
    """The site's choices for statistics: one row (pk 1), edited in the admin."""

    enabled = models.BooleanField(
        _("count the use of the site"),
        default=True,
        help_text=_(
            "When off, players send nothing and nothing is counted; the statistics collected "
            "so far stay."
        ),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("keep raw events for (days)"),
        default=30,
        help_text=_("After this, only the minute and day totals remain."),
    )
    report_recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("staff who receive the monthly report"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("statistics settings")
        verbose_name_plural = _("statistics settings")

    def __str__(self) -> str:
        return str(_("Statistics settings"))


class Kind(models.TextChoices):
    # Sent by the player (the ingest endpoint accepts only these).
    HEARTBEAT = "hb", _("Watching")
    PLAY = "play", _("Play")
    JUMP = "jump", _("Jump to an agenda item")
    SHARE = "share", _("Share")
    EMBED = "embed", _("Embedded player loaded")
    CLIP = "clip", _("Clip viewed")
    # Seen by the server (stats.middleware), never accepted from a browser.
    VISIT = "visit", _("Visit")


class Event(models.Model):
    """One raw event, kept until rolled up and past the retention."""

    at = models.DateTimeField()
    day = models.DateField()  # local (Europe/Copenhagen) day of `at`
    minute = models.IntegerField()  # minutes since the epoch (UTC) of `at`
    kind = models.CharField(max_length=8, choices=Kind)
    meeting_id = models.IntegerField(null=True)
    # A process's page ("budget:3"), for visits.
    process = models.CharField(max_length=40, blank=True)
    position_s = models.IntegerField(null=True)  # seconds into the recording
    watched_s = models.PositiveSmallIntegerField(default=0)  # heartbeats: since the last one
    live = models.BooleanField(null=True)
    device = models.CharField(max_length=8, blank=True)  # mobile, tablet, desktop
    # The share network, the embedding site's host, the agenda item jumped to, the clip.
    detail = models.CharField(max_length=100, blank=True)
    # Pseudonyms that change every day: the viewer (for unique viewers) and the page load
    # (for concurrent viewers). Neither can be linked to a viewer token or to another day.
    viewer = models.CharField(max_length=16, blank=True)
    session = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day", "meeting_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class Metric(models.TextChoices):
    PLAYS = "plays", _("Plays")
    VIEWERS = "viewers", _("Unique viewers")
    PEAK = "peak", _("Most viewers at once")
    WATCH_S = "watch_s", _("Watch time")
    WATCH_LIVE_S = "watch_live_s", _("Watch time, live")
    WATCH_ARCHIVE_S = "watch_arch_s", _("Watch time, archive")
    WATCH_ITEM_S = "watch_item_s", _("Watch time per agenda item")
    WATCH_SPEAKER_S = "watch_spkr_s", _("Watch time per speaker")
    DEVICES = "devices", _("Viewers by device")
    JUMPS = "jumps", _("Jumps to agenda items")
    SHARES = "shares", _("Shares by network")
    EMBEDS = "embeds", _("Embedded plays by site")
    CLIPS = "clips", _("Clip views")
    FEEDBACK = "feedback", _("Feedback messages")
    VOTES = "votes", _("Vox pop votes")
    ANSWERS = "answers", _("Survey answers")
    COMMENTS = "comments", _("Comments")
    VISITS = "visits", _("Visits")
    SUPPORTS = "supports", _("Supports")
    BALLOTS = "ballots", _("Ballots")
    PROPOSALS = "proposals", _("Proposals")


class DayStat(models.Model):
    """A count for a day: of a meeting (and its body), of a process, by an optional key."""

    day = models.DateField()
    meeting_id = models.IntegerField(null=True)
    body_id = models.IntegerField(null=True)
    process = models.CharField(max_length=40, blank=True)  # "budget:3"
    metric = models.CharField(max_length=12, choices=Metric)
    # The breakdown: an agenda item's or a person's id, a network, a site, a device class.
    key = models.CharField(max_length=100, blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "metric"]),
            models.Index(fields=["meeting_id", "day"]),
            models.Index(fields=["body_id", "day"]),
            models.Index(fields=["process", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.key}={self.value}"


class MinuteStat(models.Model):
    """How many were watching a meeting in a minute (concurrent viewers over time)."""

    meeting_id = models.IntegerField()
    minute = models.IntegerField()  # minutes since the epoch (UTC)
    viewers = models.IntegerField(default=0)
    live_viewers = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting_id", "minute"], name="stats_minute_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}@{self.minute}: {self.viewers}"


class Dropped(models.Model):
    """Input the ingest refused, counted per day and reason (never stored itself)."""

    day = models.DateField()
    reason = models.CharField(max_length=16)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="stats_dropped_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.count}"


class RollupState(models.Model):
    """How far the roll-up has read the events (one row, pk 1)."""

    last_event_id = models.BigIntegerField(default=0)
    rolled_at = models.DateTimeField(null=True)
    last_report_month = models.CharField(max_length=7, blank=True)  # "2026-11"

    def __str__(self) -> str:
        return f"events up to {self.last_event_id}"


_current: tuple[float, StatsSettings] | None = None


def stats_settings() -> StatsSettings:
    """The settings row, read at most every few seconds per process (the ingest asks often)."""
    import time

    global _current
    now = time.monotonic()
    if _current is not None and _current[0] > now:
        return _current[1]
    # One query; the defaults until an administrator saves the settings (no write on a read).
    row = StatsSettings.objects.filter(pk=1).first() or StatsSettings(pk=1)
    _current = (now + 5, row)
    return row


def stats_settings_changed() -> None:
    global _current
    _current = None
