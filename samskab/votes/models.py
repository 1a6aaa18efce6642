"""Binding votes (MISSION C4): a question the municipality commits to follow, answered once
per resident, on the web or on paper at a booth, with a secret ballot.

Two tables hold a vote's voting, and nothing joins them (docs/voting.md, the threat model):

- `Participation`: that a person voted (a per-vote keyed hash of their census identifier,
  unique per vote, so web and booth exclude each other in the database), the channel, the
  day, and the age band and postal district the turnout statistics publish.
- `Ballot`: what a web voter chose. A random UUID key, the day and nothing finer, no
  account, no participation key. Closing the vote lays the ballots out again in random
  order in one transaction (`services.vote_close`), so neither insertion order nor the
  database's transaction ids on the rows follow the participation rows any more.

Paper ballots stay in the box: officers enter each booth's totals per day, counted twice
(count and recount) and reconciled against the people the booth recorded.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskab.core.assurance import Assurance, assurance_field


class BindingVote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open for voting")
        CLOSED = "closed", _("Closed, being counted")
        PUBLISHED = "published", _("Results published")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    commitment = models.TextField(
        _("the municipality's commitment"),
        help_text=_("What the municipality promises to do with the result, in plain words."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # Who may vote, read from the census (verified residents only, always).
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("Empty: no age limit.")
    )
    age_day = models.DateField(
        _("age counted on"),
        null=True,
        blank=True,
        help_text=_("The voting day on which the age is counted; empty means the closing day."),
    )
    postal_codes = models.CharField(
        _("postal codes"),
        max_length=500,
        blank=True,
        help_text=_(
            "Only residents of these postal districts may vote, e.g. 8000 8200. Empty: all."
        ),
    )
    # The postal districts' outlines (a GeoJSON FeatureCollection, one feature per district,
    # its code in the property "postnr"), drawn on the vote's page. Who may vote is still
    # read from the census by postal code; the map only shows where that is (services.areas).
    areas = models.TextField(_("areas (GeoJSON)"), blank=True, db_default="", editable=False)
    # Step-up: a binding vote asks for MitID at level substantial unless staff choose otherwise.
    assurance = assurance_field(
        default=Assurance.SUBSTANTIAL, verbose_name=_("MitID login required to vote")
    )
    # Where a vote came from (item 6: a successful proposal may start one). Set through
    # services.vote_start_from; shown as a link on the vote's page.
    origin_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started from (kind)"),
    )
    origin_id = models.PositiveBigIntegerField(_("started from (number)"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    # The count, written once when the results are published (services.vote_publish).
    results = models.JSONField(_("results"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("binding vote")
        verbose_name_plural = _("binding votes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("votes:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def postal_code_list(self) -> list[str]:
        return sorted({code for code in self.postal_codes.replace(",", " ").split() if code})

    @property
    def age_counted_on(self):
        if self.age_day:
            return self.age_day
        if self.closes_at:
            return timezone.localdate(self.closes_at)
        return timezone.localdate()


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers, up to a maximum")
        YES_NO = "yes_no", _("Yes, no or blank")
        RANKING = "ranking", _("A ranking of the answers")

    class Method(models.TextChoices):
        INSTANT_RUNOFF = "irv", _("Instant-runoff")
        BORDA = "borda", _("Borda count")

    vote = models.ForeignKey(
        BindingVote, on_delete=models.CASCADE, related_name="questions", verbose_name=_("vote")
    )
    text = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        _("most answers"), default=1, help_text=_("For several answers: how many at most.")
    )
    method = models.CharField(
        _("counted by"),
        max_length=6,
        choices=Method,
        default=Method.INSTANT_RUNOFF,
        help_text=_("For a ranking: how the rankings are counted."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("binding vote questions")

    def __str__(self) -> str:
        return self.text

    @property
    def most(self) -> int:
        """How many answers one ballot may name on this question."""
        if self.kind == self.Kind.MULTIPLE:
            return max(1, self.max_choices)
        if self.kind == self.Kind.RANKING:
            return 1000
        return 1


class Answer(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    text = models.CharField(_("answer"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    video_url = models.URLField(_("video"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return reverse("votes:detail", args=[self.question.vote_id]) + f"#answer-{self.pk}"


class Booth(models.Model):
    vote = models.ForeignKey(
        BindingVote, on_delete=models.CASCADE, related_name="booths", verbose_name=_("vote")
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="hours")
    day = models.DateField(_("day"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["day", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="votes_hours_close_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Shift(models.Model):
    """A poll officer at a booth for a time: only then may they record people who vote."""

    booth = models.ForeignKey(
        Booth, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("booth")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vote_shifts",
        verbose_name=_("poll officer"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="votes_shift_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.booth} · {self.starts_at:%Y-%m-%d %H:%M}"


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    BOOTH = "booth", _("Booth")


class Participation(models.Model):
    """That a person voted. Never what they voted: there is no key to a ballot."""

    vote = models.ForeignKey(BindingVote, on_delete=models.CASCADE, related_name="participations")
    # HMAC(CENSUS_PEPPER, vote id and census identifier hash): the same person gives the same
    # key in this vote only, whether they come by the web or to a booth.
    person = models.CharField(max_length=64)
    channel = models.CharField(max_length=5, choices=Channel)
    booth = models.ForeignKey(Booth, on_delete=models.PROTECT, null=True, blank=True)
    day = models.DateField()
    # For the published turnout (small counts suppressed): as the census had them.
    age_band = models.CharField(max_length=8, blank=True)
    postal_code = models.CharField(max_length=4, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            # Web and booth exclude each other here: one row per person and vote, whatever
            # the channel (two tabs at once, web then booth, booth then web).
            models.UniqueConstraint(fields=["vote", "person"], name="votes_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(channel="web", booth__isnull=True)
                | models.Q(channel="booth", booth__isnull=False),
                name="votes_booth_iff_booth_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} · {self.channel} · {self.day}"


class Ballot(models.Model):
    """What one web voter chose: no person, no account, no time finer than the day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(BindingVote, on_delete=models.CASCADE, related_name="ballots")
    day = models.DateField()
    # {"<question id>": [answer ids, in ranking order]}; [] is blank.
    content = models.JSONField()
    # SHA-256 of the receipt code the voter was shown once (the code itself is kept nowhere).
    receipt = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return str(self.id)

    @property
    def fingerprint(self) -> str:
        return self.receipt[:16]


class BoothCount(models.Model):
    """One counting of a booth's paper ballots of one day, as entered; never changed."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        RECOUNT = "recount", _("Recount")

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="counts")
    day = models.DateField(_("day"))
    kind = models.CharField(_("counting"), max_length=8, choices=Kind)
    ballots_in_box = models.PositiveIntegerField(_("ballots in the box"))
    # {"<question id>": {"answers": {"<answer id>": n}, "blank": n, "invalid": n,
    #  "rankings": [[n, [answer ids]], ...]}}
    totals = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "entered_at", "pk"]
        verbose_name = _("booth count")
        verbose_name_plural = _("booth counts")

    def __str__(self) -> str:
        return f"{self.booth} {self.day} {self.kind}"


class Reconciliation(models.Model):
    """A booth's day: count against recount, ballots in the box against people recorded."""

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="reconciliations")
    day = models.DateField(_("day"))
    count = models.ForeignKey(BoothCount, on_delete=models.PROTECT, related_name="+")
    recount = models.ForeignKey(BoothCount, on_delete=models.PROTECT, related_name="+")
    people_recorded = models.PositiveIntegerField(_("people recorded"))
    counts_agree = models.BooleanField(_("count and recount agree"))
    box_matches = models.BooleanField(_("ballots match people recorded"))
    # Reconciled: both agree; or a vote manager accepted the difference with a reason.
    accepted = models.BooleanField(_("accepted"), default=False)
    note = models.TextField(_("note"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "created_at", "pk"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.booth} {self.day}"

    @property
    def reconciles(self) -> bool:
        return self.counts_agree and self.box_matches
