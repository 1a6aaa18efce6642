"""Co-creation of regulations and public hearings (MISSION C5).

A process (a local plan, a by-law) runs through phases with dates: debate (questions the
municipality asks), proposals (citizens' proposals for the text), draft (comments on
passages of the draft), hearing (formal answers, høringssvar) and result (the adopted text,
what changed and the municipality's answers, the hvidbog). Each phase allows exactly its
own actions (rules.py).

The draft comes in versions (Markdown, or imported from .docx); each version's paragraphs
are rows with stable anchors (§ 3, stk. 2 -> "p3-stk2"). A comment on a passage hangs on a
Passage (a kernel target), which remembers the quoted text and the text around it, and is
re-anchored to each new version (anchoring.py).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskab.core.assurance import assurance_field

TITLE_MAX = 200
ANSWER_MAX = 20_000


class Process(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    summary_html = models.TextField(_("summary as shown"), blank=True)
    # The result phase: what was adopted and what changed because of the input.
    result = models.TextField(_("what changed because of the input"), blank=True, max_length=20000)
    result_html = models.TextField(_("result as shown"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    # Step-up: a hearing answer may ask for a MitID login at this level (accounts.identity).
    answer_assurance = assurance_field(verbose_name=_("MitID login required to answer"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Moves on (in the same transaction) whenever what the draft page shows of its comments
    # changes: a comment on a passage posted, hidden, approved or deleted, or a new version.
    # The cached draft (selectors.draft_html) is kept under it, so no stale copy is ever read.
    draft_state = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hearing process")
        verbose_name_plural = _("hearing processes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hearings:process", args=[self.pk])


class Phase(models.Model):
    class Kind(models.TextChoices):
        DEBATE = "debate", _("Debate")
        PROPOSALS = "proposals", _("Proposals")
        DRAFT = "draft", _("Draft")
        HEARING = "hearing", _("Hearing")
        RESULT = "result", _("Result")

    ORDER = [Kind.DEBATE, Kind.PROPOSALS, Kind.DRAFT, Kind.HEARING, Kind.RESULT]

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=12, choices=Kind)
    starts_at = models.DateTimeField(_("starts"))
    # The result phase may have no end.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    # When its followers were told that it opened (once).
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["process", "kind"], name="hearings_one_phase_each"),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="hearings_phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.process}: {self.get_kind_display()}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


class Question(models.Model):
    """A question the municipality asks in the debate phase: answered in comments, or by
    choosing one of its choices (one line each)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    choices = models.TextField(_("choices, one a line"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return reverse("hearings:process", args=[self.process_id]) + f"#question-{self.pk}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Choice(models.Model):
    """One person's choice on a question (changed, not added, on a second answer)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="chosen")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="hearings_one_choice_each")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.index}"


class Proposal(models.Model):
    """A citizen's proposal for the text, in the proposals phase."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("proposal"), max_length=5000)
    text_html = models.TextField(blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hearings:proposal", args=[self.pk])


class Version(models.Model):
    """One published version of the draft. Its Markdown is the source; its paragraphs are
    stored as rows with their anchors."""

    class Source(models.TextChoices):
        MARKDOWN = "markdown", _("Written as Markdown")
        DOCX = "docx", _("Imported from Word")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    markdown = models.TextField(_("text"))
    changelog = models.TextField(_("what changed"), blank=True, max_length=5000)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MARKDOWN)
    # Sections (anchors of §) the municipality locked: no passage comments there.
    locked = models.JSONField(_("locked sections"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["process", "number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "number"], name="hearings_version_numbers_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("hearings:draft", args=[self.process_id]) + f"?v={self.number}"


class Paragraph(models.Model):
    class Kind(models.TextChoices):
        HEADING = "heading", _("Heading")
        PARAGRAPH = "paragraph", _("Paragraph")
        ITEM = "item", _("List item")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveIntegerField()
    anchor = models.CharField(max_length=60)
    section = models.CharField(max_length=60, blank=True)  # the anchor of its §, if any
    label = models.CharField(max_length=80, blank=True)  # "§ 3, stk. 2"
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.PARAGRAPH)
    level = models.PositiveSmallIntegerField(default=0)  # a heading's level
    text = models.TextField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="hearings_anchor_unique")
        ]

    def __str__(self) -> str:
        return self.label or self.anchor


class Passage(models.Model):
    """A passage of the draft someone commented on (a target of the comments app).

    Where it was made (version, anchor, start, end, quote, the text before and after) never
    changes; where it is now (current_*) follows each new version."""

    class State(models.TextChoices):
        EXACT = "exact", _("Found exactly")
        APPROXIMATE = "approximate", _("Found approximately")
        EARLIER = "earlier", _("About an earlier version")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="passages")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    anchor = models.CharField(max_length=60)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    current_version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    current_anchor = models.CharField(max_length=60)
    current_start = models.PositiveIntegerField()
    current_end = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State, default=State.EXACT)
    comment_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["current_anchor", "current_start", "pk"]
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        indexes = [models.Index(fields=["current_version", "current_anchor"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="hearings_passage_not_empty"
            )
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:59] + "…"
        return f"“{quote}”"

    def get_absolute_url(self) -> str:
        return reverse("hearings:passage", args=[self.pk])


class Theme(models.Model):
    """A theme staff sort the hearing answers by, with the municipality's answer to it
    (together: the hvidbog)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("theme"), max_length=120)
    response = models.TextField(_("the municipality's answer"), blank=True, max_length=20000)
    response_html = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["process", "name"], name="hearings_theme_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    """A hearing answer (høringssvar), with its attachments (the attachments kernel)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hearing_answers",
    )
    # The name the person chose to show, and the organisation it is on behalf of: stated as
    # free text by a person, or, from an organisation's MitID Erhverv login, the
    # organisation's name with its CVR number (then the person's name is not kept here).
    name = models.CharField(_("name"), max_length=120)
    organisation = models.CharField(_("on behalf of"), max_length=200, blank=True)
    organisation_cvr = models.CharField(
        _("CVR number (MitID Erhverv)"), max_length=8, blank=True, default="", db_default=""
    )
    text = models.TextField(_("answer"), max_length=ANSWER_MAX)
    consent = models.BooleanField(_("may be published"), default=False)
    themes = models.ManyToManyField(Theme, blank=True, related_name="answers")
    sections = models.JSONField(_("sections"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    number = models.PositiveIntegerField(_("number"), default=0)

    class Meta:
        ordering = ["process", "number", "pk"]
        verbose_name = _("hearing answer")
        verbose_name_plural = _("hearing answers")

    def __str__(self) -> str:
        return f"{self.number}: {self.shown_name}"

    def get_absolute_url(self) -> str:
        return reverse("hearings:answers", args=[self.process_id]) + f"#answer-{self.pk}"

    @property
    def by_organisation_account(self) -> bool:
        """Answered by an organisation's own login (MitID Erhverv), not a person's."""
        return bool(self.organisation_cvr)

    @property
    def shown_name(self) -> str:
        if self.by_organisation_account:
            return self.organisation
        return f"{self.organisation} ({self.name})" if self.organisation else self.name

    @property
    def case_file_name(self) -> str:
        """The organisation with its CVR number in the case file, the person's name otherwise."""
        if self.by_organisation_account:
            return f"{self.organisation} (CVR {self.organisation_cvr})"
        return self.shown_name


class Export(models.Model):
    """The case-file PDF, built by the worker."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="exports")
    state = models.CharField(max_length=10, choices=State, default=State.WAITING)
    file = models.FileField(upload_to="hearings/exports/", blank=True)
    answers = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.process_id} {self.state}"
