"""Meetings of the council and its committees, their agendas, speakers and timeline.

The timeline marks an operator sets during a meeting are the source of truth for the
archive index: agenda segments and speaker turns are derived from them (and stored as
SpeakerTurn rows for search), so correcting a mark corrects the index everywhere.
Offsets are milliseconds into the recording.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Body(models.Model):
    """A body that meets: the city council (byråd), a committee (udvalg), a citizens' forum."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("City council")
        COMMITTEE = "committee", _("Committee")
        CITIZENS = "citizens", _("Citizens' meeting")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.COMMITTEE)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return str(self.name)


class Person(models.Model):
    """Someone who speaks at meetings. Citizens are named only when they consent."""

    class Kind(models.TextChoices):
        POLITICIAN = "politician", _("Politician")
        STAFF = "staff", _("Staff")
        CITIZEN = "citizen", _("Citizen")
        GUEST = "guest", _("Guest")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.POLITICIAN)
    party = models.CharField(_("party"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=150, blank=True, help_text=_("E.g. mayor, committee chair.")
    )
    photo = models.ImageField(_("photo"), upload_to="people/", blank=True)
    website_url = models.URLField(_("own website"), blank=True)
    consent_to_name = models.BooleanField(
        _("consents to being named"),
        default=True,
        help_text=_("For citizens: without consent the person is shown as 'a citizen'."),
    )
    external_id = models.CharField(_("id in the agenda system"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        if self.kind == self.Kind.CITIZEN and not self.consent_to_name:
            return str(_("A citizen"))
        return str(self.name)


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    class VideoKind(models.TextChoices):
        NONE = "none", _("No video")
        HLS = "hls", _("HLS stream or recording (URL)")
        UPLOAD = "upload", _("Uploaded recording")
        YOUTUBE = "youtube", _("YouTube")
        FACEBOOK = "facebook", _("Facebook")

    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("body"),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("expected end"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PLANNED)
    is_published = models.BooleanField(_("published"), default=True)
    video_kind = models.CharField(
        _("video"), max_length=16, choices=VideoKind, default=VideoKind.NONE
    )
    video_url = models.URLField(_("video address"), max_length=500, blank=True)
    # The wall-clock instant that is offset 0 of the recording; marks set live are
    # stored with their wall-clock time and the offset computed from this.
    recording_started_at = models.DateTimeField(_("recording started"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    speakers = models.ManyToManyField(
        Person, blank=True, related_name="meetings", verbose_name=_("expected speakers")
    )
    external_id = models.CharField(_("id in the agenda system"), max_length=200, blank=True)
    # Fetched on a schedule (agenda_fetch): an OParl meeting or body, or an agenda file's URL.
    agenda_source_url = models.URLField(
        _("agenda address (OParl or file)"),
        max_length=500,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The address of the meeting in the agenda system's OParl interface (or of its "
            "OParl body, with the meeting's id in the agenda system above), or of an agenda "
            "file (CSV or JSON). The agenda and its documents are fetched every 15 minutes "
            "until the meeting starts."
        ),
    )
    agenda_fetched_at = models.DateTimeField(_("agenda last fetched"), null=True, blank=True)
    agenda_fetch_error = models.TextField(
        _("problem fetching the agenda"), blank=True, default="", db_default=""
    )
    series = models.ForeignKey(
        "webcasts.MeetingSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("series"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # Not a field: set on the instance by webcasts.signals between pre_save and post_save.
    _unpublishing: bool

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "external_id"],
                condition=~Q(external_id=""),
                name="webcasts_meeting_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        # The date tells apart a body's meetings of the same title in the admin's pickers
        # (review: a slide deck landed on last month's "Byrådsmøde").
        if self.starts_at is None:
            return f"{self.body}: {self.title}"
        day = formats.date_format(timezone.localtime(self.starts_at), "SHORT_DATE_FORMAT")
        return f"{self.body}: {self.title} ({day})"

    def get_absolute_url(self) -> str:
        return reverse("webcasts:meeting", kwargs={"pk": self.pk})

    @property
    def channel(self) -> str:
        """The live channel viewers of this meeting subscribe to."""
        return f"meeting:{self.pk}"


class MeetingSeries(models.Model):
    """A recurring committee's meetings: what each new meeting of it starts with (title,
    place, time, length, video, expected speakers and the standing agenda items), and how
    often it meets. Staff plan the coming meetings from it in the admin."""

    class Repeat(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every second week")
        MONTHLY = "monthly", _("Every month, on the same weekday (e.g. the 2nd Tuesday)")

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="series", verbose_name=_("body")
    )
    title = models.CharField(
        _("title of the meetings"), max_length=200, help_text=_("E.g. Teknik- og miljøudvalget")
    )
    repeat = models.CharField(_("meets"), max_length=16, choices=Repeat, default=Repeat.MONTHLY)
    starts_at_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("expected length (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("meetings are published"), default=True)
    video_kind = models.CharField(
        _("video"), max_length=16, choices=Meeting.VideoKind, default=Meeting.VideoKind.NONE
    )
    speakers = models.ManyToManyField(
        Person, blank=True, related_name="+", verbose_name=_("expected speakers")
    )
    agenda_template = models.TextField(
        _("standing agenda items"),
        blank=True,
        help_text=_(
            "One item a line, as number and title (e.g. “1. Godkendelse af dagsorden”); "
            "each new meeting gets them. Items from the agenda system are added later."
        ),
    )

    class Meta:
        ordering = ["body__name", "title"]
        verbose_name = _("meeting series")
        verbose_name_plural = pgettext_lazy("plural", "meeting series")

    def __str__(self) -> str:
        return f"{self.body}: {self.title}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    number = models.CharField(_("number"), max_length=20)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Closed items are not broadcast or archived.")
    )
    external_id = models.CharField(_("id in the agenda system"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"], name="webcasts_agendaitem_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title} · {self.meeting}"


class Document(models.Model):
    """A document (bilag) of a meeting or one of its agenda items."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return str(self.title)


class SlideDeck(models.Model):
    """A presentation shown in the chamber (W10), rendered from PDF to page images."""

    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="slide_decks",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title"), max_length=300)
    pdf = models.FileField(_("PDF"), upload_to="slides/%Y/")
    page_count = models.PositiveIntegerField(default=0, verbose_name=_("page count"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("slide deck")
        verbose_name_plural = _("slide decks")

    def __str__(self) -> str:
        return str(self.title)


class Slide(models.Model):
    deck = models.ForeignKey(SlideDeck, on_delete=models.CASCADE, related_name="slides")
    number = models.PositiveIntegerField()
    image = models.ImageField(upload_to="slides/%Y/pages/")
    text = models.TextField(blank=True, help_text="Text extracted from the page, for search.")

    class Meta:
        ordering = ["deck", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "number"], name="webcasts_slide_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.deck} #{self.number}"


class TimelineMark(models.Model):
    """One thing that happened at a moment of the meeting, set by the operator (W4)."""

    class Kind(models.TextChoices):
        MEETING_START = "meeting_start", _("Meeting starts")
        ITEM = "item", _("Agenda item starts")
        SPEAKER = "speaker", _("Speaker starts")
        SLIDE = "slide", _("Slide shown")
        BREAK = "break", _("Break")
        MEETING_END = "meeting_end", _("Meeting ends")
        # Set by the polls app when the operator opens or closes a vox pop (D2).
        POLL_OPEN = "poll_open", _("Vox pop opens")
        POLL_CLOSE = "poll_close", _("Vox pop closes")
        # Set by the operator's closed-session control: the public sees the slate between.
        CLOSED_START = "closed_start", _("Closed session begins")
        CLOSED_END = "closed_end", _("Closed session ends")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="marks", verbose_name=_("meeting")
    )
    kind = models.CharField(max_length=16, choices=Kind, verbose_name=_("kind"))
    at = models.DateTimeField(_("wall-clock time"))
    offset_ms = models.PositiveIntegerField(_("offset into the recording (ms)"))
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="marks",
        verbose_name=_("agenda item"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="marks"
    )
    slide = models.ForeignKey(
        Slide,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marks",
        verbose_name=_("slide"),
    )
    poll = models.ForeignKey(
        "polls.Poll",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="marks",
        verbose_name=_("poll"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    corrected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("corrected at"))
    # Undo keeps the row (for the log) but removes it from the index.
    is_undone = models.BooleanField(default=False, verbose_name=_("undone"))

    class Meta:
        verbose_name = _("timeline mark")
        verbose_name_plural = _("timeline marks")
        ordering = ["meeting", "offset_ms", "pk"]
        indexes = [models.Index(fields=["meeting", "is_undone", "offset_ms"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="item") | Q(agenda_item__isnull=False),
                name="webcasts_mark_item_has_item",
            ),
            models.CheckConstraint(
                condition=~Q(kind="speaker") | Q(person__isnull=False),
                name="webcasts_mark_speaker_has_person",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["poll_open", "poll_close"]) | Q(poll__isnull=False),
                name="webcasts_mark_poll_has_poll",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.offset_ms} ms"


class SpeakerTurn(models.Model):
    """A person speaking from start to end, derived from the marks; rebuilt when they change."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="speaker_turns", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="speaker_turns",
        verbose_name=_("agenda item"),
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="speaker_turns")
    start_ms = models.PositiveIntegerField(verbose_name=_("start (ms)"))
    end_ms = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("end (ms)"))
    mark = models.OneToOneField(
        TimelineMark, on_delete=models.CASCADE, related_name="turn", verbose_name=_("timeline mark")
    )

    class Meta:
        ordering = ["meeting", "start_ms"]
        verbose_name = _("speaker turn")
        verbose_name_plural = _("speaker turns")

    def __str__(self) -> str:
        return f"{self.person} {self.start_ms}-{self.end_ms}"


class Captions(models.Model):
    """Subtitles for a recording (WebVTT), shown in the player and searchable."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="captions", verbose_name=_("meeting")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    vtt = models.FileField(_("WebVTT file"), upload_to="captions/%Y/")
    text = models.TextField(
        blank=True, help_text="The cues' text, for search.", verbose_name=_("text")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("captions")
        verbose_name_plural = _("captions")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "language"], name="webcasts_captions_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} ({self.language})"


class CaptionCue(models.Model):
    """One cue of the captions, with its time, so a search hit can link to the moment."""

    captions = models.ForeignKey(Captions, on_delete=models.CASCADE, related_name="cues")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="caption_cues")
    start_ms = models.PositiveIntegerField()
    end_ms = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["captions", "start_ms", "pk"]
        verbose_name = _("caption cue")
        verbose_name_plural = _("caption cues")

    def __str__(self) -> str:
        return f"{self.start_ms}: {self.text[:40]}"
