"""Surveys: questions in sections, Danish and English texts, anonymous answers.

Anonymous by construction: a Response holds only answers and the hour it was submitted
(random UUID key, so neither its key nor its time orders it against Participation rows).
A Participation row records only that someone (account or hashed viewer token) answered;
both are written in one transaction, and the unique index on Participation makes it one
answer per person.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from samskab.core.attached import MeetingAttached
from samskab.surveys.schema import Kind, QuestionSpec


def translated(obj, name: str) -> str:
    """The field in the active language, falling back to Danish."""
    language = (get_language() or "da")[:2]
    value = getattr(obj, f"{name}_{language}", "") if language in ("da", "en") else ""
    return value or getattr(obj, f"{name}_da")


class Survey(MeetingAttached):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    class OnePer(models.TextChoices):
        VIEWER = "viewer", _("One answer per browser (no account needed)")
        ACCOUNT = "account", _("One answer per account (sign-in needed)")

    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_da = models.TextField(_("introduction (Danish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    slug = models.SlugField(_("short name in its address"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    one_per = models.CharField(
        _("one answer per"),
        max_length=16,
        choices=OnePer,
        default=OnePer.VIEWER,
        help_text=_(
            "One answer per browser stops a second answer from the same browser and limits "
            "how many answers one internet address can send an hour. It does not stop one "
            "person answering from several browsers or devices, or a script that discards "
            "its cookies: the results are indicative only and are marked as not verified. "
            "For answers you can count, choose one answer per account."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title_da

    def get_absolute_url(self) -> str:
        return reverse("surveys:answer", kwargs={"slug": self.slug})

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def intro(self) -> str:
        return translated(self, "intro")

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self) -> None:
        """A survey opens only when each of its questions can be answered: a choice,
        ranking or matrix question without its options would stop every respondent."""
        super().clean()
        if self.pk is None or self.status != self.Status.OPEN:
            return
        empty = [
            question
            for question in self.questions.prefetch_related("choices")
            if not question.has_its_options()
        ]
        if empty:
            raise ValidationError(
                {
                    "status": _(
                        "These questions have no options yet: %(questions)s. Add them on each "
                        "question's page, then open the survey."
                    )
                    % {"questions": ", ".join(f"«{question.text}»" for question in empty)}
                }
            )


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title_da

    @property
    def title(self) -> str:
        return translated(self, "title")


class QuestionKind(models.TextChoices):
    # The same values as schema.Kind, which the pure modules use.
    SINGLE = Kind.SINGLE.value, _("Single choice")
    MULTIPLE = Kind.MULTIPLE.value, _("Multiple choice")
    TEXT = Kind.TEXT.value, _("Free text")
    NUMBER = Kind.NUMBER.value, pgettext_lazy("kind of survey question", "Number")
    SCALE_5 = Kind.SCALE_5.value, _("Scale 1-5")
    SCALE_10 = Kind.SCALE_10.value, _("Scale 0-10")
    RANKING = Kind.RANKING.value, _("Ranking")
    MATRIX = Kind.MATRIX.value, _("Matrix (rows x columns)")


class Question(models.Model):
    Kind = QuestionKind

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("section"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind)
    text_da = models.CharField(_("question (Danish)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    help_da = models.CharField(_("help (Danish)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # What the ends of a scale mean ("1 = very dissatisfied"); without them a scale's answers
    # cannot be read, so the answer page says at least which end is high.
    low_label_da = models.CharField(
        _("meaning of the lowest point (Danish)"), max_length=100, blank=True
    )
    low_label_en = models.CharField(
        _("meaning of the lowest point (English)"), max_length=100, blank=True
    )
    high_label_da = models.CharField(
        _("meaning of the highest point (Danish)"), max_length=100, blank=True
    )
    high_label_en = models.CharField(
        _("meaning of the highest point (English)"), max_length=100, blank=True
    )
    minimum = models.FloatField(_("lowest number"), null=True, blank=True)
    maximum = models.FloatField(_("highest number"), null=True, blank=True)
    show_if_choice = models.ForeignKey(
        "Choice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("show only if an earlier answer is"),
        help_text=_("An option of an earlier single or multiple choice question."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text_da

    @property
    def text(self) -> str:
        return translated(self, "text")

    @property
    def help(self) -> str:
        return translated(self, "help")

    @property
    def low_label(self) -> str:
        return translated(self, "low_label")

    @property
    def high_label(self) -> str:
        return translated(self, "high_label")

    def has_its_options(self) -> bool:
        """A choice or ranking question has options; a matrix has rows and columns."""
        choices = list(self.choices.all())
        columns = [choice for choice in choices if not choice.is_row]
        if self.kind == QuestionKind.MATRIX:
            return bool(columns) and len(columns) < len(choices)
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
            return bool(columns)
        return True

    def clean(self) -> None:
        """Refuse what the answer page could not honour: a section or condition of another
        survey, a condition on a later question (checked in survey order, it would never
        show) or on what is not an option, and a range no number fits."""
        super().clean()
        errors = {}
        if self.section is not None and self.section.survey_id != self.survey_id:
            errors["section"] = _("The section belongs to another survey.")
        choice = self.show_if_choice
        if choice is not None:
            earlier = choice.question
            if earlier.survey_id != self.survey_id:
                errors["show_if_choice"] = _("The option belongs to another survey.")
            elif choice.is_row or earlier.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                errors["show_if_choice"] = _(
                    "Choose an option of a single or multiple choice question."
                )
            elif survey_order(earlier) >= survey_order(self):
                errors["show_if_choice"] = _(
                    "Choose an option of a question that comes before this one in the survey."
                )
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            errors["maximum"] = _("The highest number is lower than the lowest.")
        if errors:
            raise ValidationError(errors)


def survey_order(question: Question) -> tuple:
    """Where a question comes in the survey: first the questions without a section, then
    section by section in the sections' order, each by position. So a question added later
    to an earlier section is shown in that section, not after the last one under its
    heading again. `survey_order_by` is the same order for a query."""
    section = question.section if question.section_id else None
    return (
        section is not None,
        section.position if section else 0,
        question.section_id or 0,
        question.position,
        question.pk or float("inf"),
    )


def survey_order_by(prefix: str = "") -> list:
    """`survey_order` as `order_by` arguments, for questions reached through `prefix`
    (such as "question__")."""
    return [
        models.F(f"{prefix}section__position").asc(nulls_first=True),
        f"{prefix}section_id",
        f"{prefix}position",
        f"{prefix}pk",
    ]


class Choice(models.Model):
    """An option (single, multiple), an item to rank, or a matrix column; matrix rows
    are choices with is_row set."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_da = models.CharField(_("text (Danish)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    is_row = models.BooleanField(_("matrix row"), default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text_da

    @property
    def text(self) -> str:
        return translated(self, "text")


class Response(models.Model):
    """One respondent's answers. Deliberately no user, session, address or exact time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed together with the time below: a survey's responses in the order of the export.
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(_("submitted (to the hour)"))

    class Meta:
        indexes = [
            # The export and the statistics read one survey's responses by time, oldest
            # first, optionally between two dates: this index gives that order without a
            # sort (which spilled 73 MB to disk on PostgreSQL for 100,000 responses).
            models.Index(fields=["survey", "submitted_at", "id"], name="surveys_response_by_time")
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey_id} {self.submitted_at:%Y-%m-%d %H}"


class Participation(models.Model):
    """Only that someone answered: no link to their Response, no time."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    participant_key = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "participant_key"], name="surveys_one_participation_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.pk}"


def question_spec(question: Question, choices: list[Choice]) -> QuestionSpec:
    show_if = None
    choice = question.show_if_choice
    if choice is not None:
        show_if = (choice.question_id, choice.pk)
    return QuestionSpec(
        id=question.pk,
        kind=Kind(question.kind),
        label=question.text,
        required=question.required,
        choices=[(c.pk, c.text) for c in choices if not c.is_row],
        rows=[(c.pk, c.text) for c in choices if c.is_row],
        minimum=question.minimum,
        maximum=question.maximum,
        show_if=show_if,
    )
