"""Interactive presentations (X1): steps built from the municipality's content, played by
citizens step by step, with questions answered anonymously.

What citizens play is the published snapshot (`Presentation.published`), not the steps an
editor is changing: editing never breaks a published presentation. The snapshot names its
elements by id; an element removed since is shown as a notice and the rest plays.

Answers follow the surveys' rule, anonymous by construction: an Answer row holds the step,
the value and the hour; a Participation row records only that someone (a hashed viewer
token) answered that step, and its unique index makes it once per viewer. A Visit holds no
viewer at all: only how far one playing got, for drop-off.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskab.attachments.models import Document, Image
from samskab.recordings.models import Clip
from samskab.surveys.models import QuestionKind
from samskab.webcasts.models import Slide

# The surveys' question kinds a presentation asks inline (one question per step; ranking
# and matrix need a page of their own and stay in surveys).
QUESTION_KINDS = [
    (kind.value, kind.label)
    for kind in (
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.TEXT,
        QuestionKind.NUMBER,
        QuestionKind.SCALE_5,
        QuestionKind.SCALE_10,
    )
]
CHOICE_KINDS = {QuestionKind.SINGLE.value, QuestionKind.MULTIPLE.value}
END = "end"


class Job(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Working")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Presentation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in its address"), unique=True, max_length=80)
    summary = models.TextField(_("summary"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    # The snapshot citizens play (services.snapshot_of at publishing).
    published = models.JSONField(_("published version"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Moved on by every save, so an autosave from an older page is refused, not lost.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("presentations:play", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Video(models.Model):
    """A video uploaded for presentations, packaged to HLS by the media pipeline."""

    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    staged_path = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("length (ms)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Job, default=Job.WAITING)
    error = models.TextField(_("error"), blank=True)
    captions = models.FileField(
        _("captions (WebVTT)"), upload_to="presentations/captions/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("presentation video")
        verbose_name_plural = _("presentation videos")

    def __str__(self) -> str:
        return str(self.title)

    @property
    def playlist_url(self) -> str:
        return f"{settings.MEDIA_URL}presentations/videos/{self.pk}/index.m3u8"


class DeckPage(models.Model):
    """One page of a PDF attached to a presentation, rendered as a picture (pypdfium2)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("page"))
    image = models.ImageField(_("picture"), upload_to="presentations/pages/%Y/")
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("slide page")
        verbose_name_plural = _("slide pages")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="presentations_deckpage_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} #{self.number}"


class Step(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        SLIDE = "slide", _("Slide")
        PICTURE = "picture", _("Picture")
        TEXT = "text", _("Text")
        QUESTION = "question", _("Question")

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="steps", verbose_name=_("presentation")
    )
    # Stable across reorders, versions and export: branches and answers name steps by key.
    key = models.CharField(_("key"), max_length=12)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # Text: the step's text; picture: its caption; slide: notes; question: help.
    body = models.TextField(_("text"), blank=True, max_length=5000)
    clip = models.ForeignKey(
        Clip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("clip"),
    )  # fmt: skip
    video = models.ForeignKey(
        Video, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("video"),
    )  # fmt: skip
    in_ms = models.PositiveIntegerField(_("in point (ms)"), null=True, blank=True)
    out_ms = models.PositiveIntegerField(_("out point (ms)"), null=True, blank=True)
    slide = models.ForeignKey(
        Slide, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("meeting slide"),
    )  # fmt: skip
    deck_page = models.ForeignKey(
        DeckPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("slide page"),
    )  # fmt: skip
    # A slide's narration video: a clip of a meeting or an uploaded video, never both (the
    # uploaded one is what travels in a package: another site cannot import a meeting clip).
    narration = models.ForeignKey(
        Clip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("narration (clip)"),
    )  # fmt: skip
    narration_video = models.ForeignKey(
        Video, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("narration (uploaded video)"),
    )  # fmt: skip
    image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("picture"),
    )  # fmt: skip
    question_kind = models.CharField(
        _("kind of question"), max_length=16, choices=QUESTION_KINDS, blank=True
    )
    # [{"id": 1, "text": "..."}]: the options of a choice question, ids stable per step.
    choices = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # "" = the next step in order; "end" = the presentation ends here; else a step's key.
    next_key = models.CharField(_("then go to"), max_length=12, blank=True)
    # {"<option id>": "<step key>"}: an answer leads to a chosen step.
    branches = models.JSONField(_("branches"), default=dict, blank=True)

    class Meta:
        ordering = ["presentation", "position", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "key"], name="presentations_step_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(narration__isnull=True) | Q(narration_video__isnull=True),
                name="presentations_step_one_narration",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Version(models.Model):
    """A saved state of a presentation's steps (every save), to look back and restore."""

    presentation = models.ForeignKey(
        Presentation,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("presentation"),
    )
    number = models.PositiveIntegerField(_("number"))
    snapshot = models.JSONField(_("content"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["presentation", "-number"]
        verbose_name = _("presentation version")
        verbose_name_plural = _("presentation versions")
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "number"], name="presentations_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.presentation_id} v{self.number}"


class Visit(models.Model):
    """One playing of a presentation: no viewer, no address, the day only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    started_on = models.DateField(_("started on"))
    last_key = models.CharField(_("last step seen"), max_length=12, blank=True)
    steps_seen = models.PositiveIntegerField(_("steps seen"), default=1)
    completed = models.BooleanField(_("completed"), default=False)

    class Meta:
        indexes = [
            models.Index(fields=["presentation", "completed"], name="presentations_visit_by_p")
        ]
        verbose_name = _("playing")
        verbose_name_plural = _("playings")

    def __str__(self) -> str:
        return f"{self.presentation_id} {self.started_on}"


class Answer(models.Model):
    """One answer to a question step. Deliberately no viewer, session, address or exact time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    step_key = models.CharField(_("step"), max_length=12)
    value = models.JSONField(_("answer"))
    submitted_at = models.DateTimeField(_("submitted (to the hour)"))

    class Meta:
        indexes = [
            models.Index(
                fields=["presentation", "step_key", "submitted_at"],
                name="presentations_answer_by_step",
            )
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.presentation_id} {self.step_key}"


class Participation(models.Model):
    """Only that someone answered a step: no link to their Answer, no time."""

    presentation = models.ForeignKey(
        Presentation, on_delete=models.CASCADE, related_name="participations"
    )
    step_key = models.CharField(max_length=12)
    participant_key = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "step_key", "participant_key"],
                name="presentations_one_answer_per_viewer",
            )
        ]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.presentation_id}: {self.pk}"
