"""Citizens' budgets: a budget in phases, its groups and headings, projects, supports, ballots."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskab.budgets.counting.election import MAX_AMOUNT
from samskab.core.assurance import assurance_field

# Amounts and prices stay below 10^15 (security review L3): the admin and every form refuse more.
amount_validators = [MaxValueValidator(MAX_AMOUNT)]


class Phase(models.TextChoices):
    INFORMING = "informing", _("Informing")
    ACCEPTING = "accepting", _("Accepting projects")
    REVIEWING = "reviewing", _("Reviewing projects")
    SELECTING = "selecting", _("Selecting projects (supports)")
    VALUATING = "valuating", _("Valuating projects")
    PUBLISHING_PRICES = "publishing_prices", _("Publishing prices")
    BALLOTING = "balloting", _("Voting")
    REVIEWING_BALLOTS = "reviewing_ballots", _("Reviewing ballots")
    FINISHED = "finished", _("Finished")


class Rule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first (greedy)")
    MES_COST_ADD1 = "mes_cost_add1", _("Method of Equal Shares (cost utilities, Add1)")


class TieBreaking(models.TextChoices):
    # The values are samskab.budgets.counting.TieBreaking's.
    COST_VOTES = "cost-votes", _("Lower cost, then more votes")
    ID = "id", _("Lower project number")
    CONSUL = "consul", _("More votes, then the newer project (CONSUL)")


class PaperRule(models.TextChoices):
    PAPER_WINS = "paper", _("The paper ballot counts")
    WEB_WINS = "web", _("The web ballot counts")


class BallotStyle(models.TextChoices):
    KNAPSACK = "knapsack", _("Projects within the amount")
    APPROVAL = "approval", _("At most a number of projects")
    CUMULATIVE = "cumulative", _("Points shared out among projects")
    RANKED = "ranked", _("Projects ranked in order of preference")


class Scoring(models.TextChoices):
    """How a ranking becomes points for the count (pabulib's `scoring_fn`)."""

    BORDA = "borda", _("Borda: the first of n ranked gets n points, the next n - 1, ...")


# The most points a cumulative ballot may hand out, and the longest ranking: far above any
# real ballot, well inside what the counting engine takes (counting.scored.MAX_POINTS).
MAX_BALLOT_POINTS = 10_000
MAX_RANKING = 100


def _points_field(verbose_name, help_text) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_BALLOT_POINTS)],
        help_text=help_text,
    )


@dataclass(frozen=True)
class BallotRules:
    """A heading's ballot: its style and the limits that style has (None: no limit)."""

    style: str
    amount: int
    max_projects: int | None = None  # approval
    points_total: int | None = None  # cumulative: the points each voter shares out
    points_per_project: int | None = None  # cumulative
    ranking_length: int | None = None  # ranked
    scoring: str = "borda"  # ranked

    @property
    def by_points(self) -> bool:
        """Counted by points (cumulative points, or a ranking's points), not by approval."""
        return self.style in (BallotStyle.CUMULATIVE, BallotStyle.RANKED)

    @property
    def cap(self) -> int | None:
        """The most points one project may get: its own cap, else all of a voter's points."""
        return self.points_per_project or self.points_total


def _check_points(total: int | None, per_project: int | None) -> None:
    if not total:
        raise ValidationError(
            {"points_total": _("A ballot with points needs the points each voter shares out.")}
        )
    if per_project and per_project > total:
        raise ValidationError(
            {"points_per_project": _("One project cannot get more points than a voter has in all.")}
        )


class Budget(models.Model):
    title = models.CharField(_("title"), max_length=200)
    currency = models.CharField(_("currency"), max_length=8, default="DKK")
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase, default=Phase.INFORMING)
    rule = models.CharField(
        _("counting rule"), max_length=20, choices=Rule, default=Rule.MES_COST_ADD1
    )
    tie_breaking = models.CharField(
        _("tie-breaking"),
        max_length=12,
        choices=TieBreaking,
        default=TieBreaking.COST_VOTES,
        help_text=_("Which project wins when the counting rule finds two equally good."),
    )
    paper_rule = models.CharField(
        _("a person who votes both on paper and on the web"),
        max_length=8,
        choices=PaperRule,
        default=PaperRule.PAPER_WINS,
        help_text=_("Only one ballot per person counts. Every such case is logged."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    second_approval = models.BooleanField(
        _("a second person approves the results"),
        default=False,
        help_text=_(
            "When ticked, the results are published only after a second staff member, another "
            "account than the one who confirmed the count, has approved them."
        ),
    )
    # Step-up: the ballot asks for a MitID login at this level (accounts.identity).
    ballot_assurance = assurance_field(verbose_name=_("MitID login required to vote"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("budgets:budget", args=[self.pk])


class BudgetPhase(models.Model):
    """A phase's dates and what the municipality says about it, one row per phase and budget."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["budget", "phase"], name="budgets_one_row_per_phase")
        ]

    def __str__(self) -> str:
        return self.get_phase_display()


class Group(models.Model):
    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="groups", verbose_name=_("budget")
    )
    name = models.CharField(_("name"), max_length=200)
    max_headings_supported = models.PositiveIntegerField(
        _("headings a citizen may support"), default=1
    )
    ballot_style = models.CharField(
        _("ballot"), max_length=10, choices=BallotStyle, default=BallotStyle.KNAPSACK
    )
    max_approvals = models.PositiveIntegerField(
        _("projects a voter may choose"),
        null=True,
        blank=True,
        help_text=_("For ballots with at most a number of projects."),
    )
    # The points and ranked styles (a heading may override each; empty there: as here).
    points_total = _points_field(
        _("points per voter"), _("For ballots with points: how many each voter shares out.")
    )
    points_per_project = _points_field(
        _("most points for one project"),
        _("For ballots with points. Empty: up to all of a voter's points."),
    )
    ranking_length = models.PositiveIntegerField(
        _("projects a voter may rank"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_RANKING)],
        help_text=_("For ranked ballots. Empty: every project on the ballot."),
    )
    scoring = models.CharField(
        _("points for a ranking"),
        max_length=10,
        choices=Scoring,
        default=Scoring.BORDA,
        help_text=_("For ranked ballots: how the count turns ranks into points."),
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("budget groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ballot_style == BallotStyle.CUMULATIVE:
            _check_points(self.points_total, self.points_per_project)


class Heading(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="headings", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount"), validators=amount_validators)
    geojson = models.TextField(_("area (GeoJSON)"), blank=True)
    ballot_style = models.CharField(
        _("ballot"),
        max_length=10,
        choices=BallotStyle,
        blank=True,
        help_text=_("Empty: as the group says."),
    )
    max_approvals = models.PositiveIntegerField(
        _("projects a voter may choose"),
        null=True,
        blank=True,
        help_text=_("Empty: as the group says."),
    )
    points_total = _points_field(_("points per voter"), _("Empty: as the group says."))
    points_per_project = _points_field(
        _("most points for one project"), _("Empty: as the group says.")
    )
    ranking_length = models.PositiveIntegerField(
        _("projects a voter may rank"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_RANKING)],
        help_text=_("Empty: as the group says."),
    )

    class Meta:
        verbose_name = _("heading")
        verbose_name_plural = _("headings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("budgets:heading", args=[self.group.budget_id, self.pk])

    def clean(self) -> None:
        # The area typed or pasted in the admin: checked like an uploaded map, stored plain.
        if self.geojson.strip():
            from samskab.places.geo import GeoError, parse_geometry
            from samskab.places.maps import geo_error_message

            try:
                area = parse_geometry(self.geojson)
            except GeoError as error:
                raise ValidationError({"geojson": geo_error_message(error)}) from None
            self.geojson = json.dumps(area.geometry())
        if self.group_id is not None and self.style == BallotStyle.CUMULATIVE:
            _check_points(
                self.points_total or self.group.points_total,
                self.points_per_project or self.group.points_per_project,
            )

    @property
    def style(self) -> str:
        """The ballot style that applies: the heading's own, else its group's."""
        return self.ballot_style or self.group.ballot_style

    @property
    def approval_limit(self) -> int | None:
        """At most this many projects per ballot (approval style only)."""
        if self.style != BallotStyle.APPROVAL:
            return None
        limit = self.max_approvals or self.group.max_approvals
        return limit if limit else None

    @property
    def budget(self) -> Budget:
        return self.group.budget

    def ballot_rules(self) -> BallotRules:
        """What a ballot in this heading may hold: its style and that style's limits."""
        group = self.group
        style = self.style
        return BallotRules(
            style=style,
            amount=self.amount,
            max_projects=self.approval_limit,
            points_total=(self.points_total or group.points_total)
            if style == BallotStyle.CUMULATIVE
            else None,
            points_per_project=(self.points_per_project or group.points_per_project)
            if style == BallotStyle.CUMULATIVE
            else None,
            ranking_length=(self.ranking_length or group.ranking_length)
            if style == BallotStyle.RANKED
            else None,
            scoring=group.scoring or Scoring.BORDA,
        )


class Project(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        FEASIBLE = "feasible", _("Feasible")
        UNFEASIBLE = "unfeasible", _("Not feasible")
        SELECTED = "selected", _("Selected for valuation")
        ON_BALLOT = "on_ballot", _("On the ballot")
        WINNER = "winner", _("Winner")
        NOT_WINNER = "not_winner", _("Not funded")

    heading = models.ForeignKey(
        Heading, on_delete=models.CASCADE, related_name="projects", verbose_name=_("heading")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Markdown."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_projects",
        verbose_name=_("author"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.SUBMITTED)
    price = models.PositiveBigIntegerField(
        _("price"), null=True, blank=True, validators=amount_validators
    )
    price_explanation = models.TextField(_("price explanation"), blank=True)
    feasibility_explanation = models.TextField(_("feasibility explanation"), blank=True)
    # The language the author wrote in: e-mails about the project are sent in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # Its public history: activity.Event rows (kinds: ProjectEventKind), oldest first.
    events = GenericRelation("activity.Event")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Only the count makes a project a winner or not funded, and it writes the status with
        # a queryset update when the results are published (tallying._publish). Any other
        # save that sets or clears a result is a bug or an attempt to bend the result.
        stored = None
        if self.pk is not None:
            stored = Project.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if self.status != stored and {self.status, stored} & RESULT_STATUSES:
            raise ResultProtected(_("Only the count decides which projects win."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("budgets:project", args=[self.pk])

    # Citizens' supports (the supports app's rows on any target; one per person, counted by
    # its counter): `project.supports`, `Count("supports")`, `Support.objects.filter(project=)`.
    supports = GenericRelation("supports.Support", related_query_name="project")


RESULT_STATUSES = {Project.Status.WINNER, Project.Status.NOT_WINNER}


class ResultProtected(ValidationError):
    """A write that would set or change a result outside the count."""


class Ballot(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper")

    heading = models.ForeignKey(Heading, on_delete=models.CASCADE, related_name="ballots")
    # Empty for a paper ballot from a resident without an account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budget_ballots",
    )
    # The person: the census identifier's keyed hash (as ResidenceVerification keeps it), so a
    # web ballot and a paper ballot from the same resident are found to be the same person.
    # NULL, not "": rows without a person must not collide in the unique constraint.
    person = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    source = models.CharField(_("source"), max_length=8, choices=Source, default=Source.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["heading", "user"], name="budgets_one_ballot_per_user"),
            models.UniqueConstraint(
                fields=["heading", "person"], name="budgets_one_ballot_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.heading}"


class BallotLine(models.Model):
    """One project on a ballot; with its points on a cumulative ballot, its place (1 = first)
    on a ranked one."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="lines")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ballot_lines")
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "project"], name="budgets_one_line_per_project"
            ),
            # A ranking never puts two projects in one place, whatever wrote the lines.
            models.UniqueConstraint(
                fields=["ballot", "rank"],
                condition=models.Q(rank__isnull=False),
                name="budgets_one_project_per_rank",
            ),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gt=0),
                name="budgets_line_points_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gt=0),
                name="budgets_line_rank_from_one",
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)


class BallotConflict(models.Model):
    """A person who voted both on the web and on paper in a heading: which ballot counts."""

    heading = models.ForeignKey(
        Heading, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("heading")
    )
    person = models.CharField(max_length=64)
    kept = models.CharField(_("counted"), max_length=8, choices=Ballot.Source)
    set_aside = models.JSONField(_("projects on the ballot set aside"), default=list)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("poll officer"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("web and paper ballot from one person")
        verbose_name_plural = _("web and paper ballots from one person")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.heading}: {self.person[:8]}…"


class HeadingResult(models.Model):
    """A heading's count when the budget was finished: winners and the rule's explanation."""

    heading = models.OneToOneField(
        Heading, on_delete=models.CASCADE, related_name="result", verbose_name=_("heading")
    )
    rule = models.CharField(max_length=40, verbose_name=_("rule"))
    winners = models.JSONField(
        default=list, verbose_name=_("winners")
    )  # project pks, in the order chosen
    cost = models.PositiveBigIntegerField(default=0, verbose_name=_("cost"))
    voters = models.PositiveIntegerField(default=0, verbose_name=_("voters"))
    explanation = models.JSONField(default=dict, verbose_name=_("explanation"))
    computed_at = models.DateTimeField(auto_now=True, verbose_name=_("computed at"))

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return str(self.heading)


def _staff_member(verbose_name) -> models.ForeignKey:
    """Who took a step of a count: kept as empty if their account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class Tally(models.Model):
    """One count of a budget's vote, from the request to publication: the outcome is checked by
    staff before it is published, and every step says who and when.

    The worker counts (tasks.tally_run_task) and stores each heading's outcome in `results`; only
    publishing it (tallying._publish) writes HeadingResult rows and project statuses.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Counting")
        DONE = "done", _("Counted: check the outcome")
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("budget")
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    rule = models.CharField(_("counting rule"), max_length=20, choices=Rule)
    tie_breaking = models.CharField(_("tie-breaking"), max_length=12, choices=TieBreaking)
    headings_total = models.PositiveIntegerField(default=0, verbose_name=_("headings in all"))
    headings_done = models.PositiveIntegerField(default=0, verbose_name=_("headings counted"))
    # heading pk -> {"rule", "winners", "cost", "voters", "explanation", "ballots"}, where
    # "ballots" is a digest of the ballots counted: publishing refuses an outcome whose
    # ballots have changed since (a paper ballot entered or corrected after the count).
    results = models.JSONField(default=dict, blank=True, verbose_name=_("results"))
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("counted at the request of"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("counted"), null=True, blank=True)
    confirmed_by = _staff_member(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    approved_by = _staff_member(_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    discarded_by = _staff_member(_("discarded by"))
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True)

    class Meta:
        verbose_name = _("count")
        verbose_name_plural = _("counts")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.budget}: {self.get_state_display()}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if self.state in (self.State.DONE, self.State.PUBLISHED):
            return 100
        if not self.headings_total:
            return 0
        return round(100 * self.headings_done / self.headings_total)


class PaperBallotChange(models.Model):
    """A poll officer corrected or voided a paper ballot: what it said before and after, why,
    who and when. A voided ballot is deleted (so it is not counted); this row remains."""

    class Kind(models.TextChoices):
        CORRECTED = "corrected", _("Corrected")
        VOIDED = "voided", _("Voided")

    heading = models.ForeignKey(
        Heading, on_delete=models.CASCADE, related_name="paper_changes", verbose_name=_("heading")
    )
    ballot_number = models.PositiveIntegerField(_("ballot number"))
    kind = models.CharField(_("what was done"), max_length=10, choices=Kind)
    before = models.JSONField(_("projects before"), default=list)
    after = models.JSONField(_("projects after"), default=list)
    reason = models.TextField(_("reason"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper ballot correction")
        verbose_name_plural = _("paper ballot corrections")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.heading}: {self.ballot_number} {self.get_kind_display()}"


class ProjectEventKind(models.TextChoices):
    """The steps of a project's public history (activity.Event rows on the project; each
    row's `status` is the project's status after the step)."""

    SUBMITTED = "submitted", _("Submitted")
    FEASIBILITY = "feasibility", _("Feasibility assessed")
    PRICE = "price", _("Price set")
    BALLOT = "ballot", _("Ballot decided")
    RESULT = "result", _("Result of the vote")
    STATUS = "status", _("Status changed")


class ValuatorAssignment(models.Model):
    """A valuator asked to assess a project (editors and administrators assign them); only
    they, and administrators, may save its assessment (rules.py)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="valuator_assignments",
        verbose_name=_("project"),
    )
    valuator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="budget_assignments",
        verbose_name=_("valuator"),
    )
    assigned_by = _staff_member(_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("valuator of a project")
        verbose_name_plural = _("valuators of projects")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "valuator"], name="budgets_one_assignment_per_valuator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.valuator}"


class ValuationNote(models.Model):
    """Staff's internal note on a project's assessment: read and written by its valuators,
    editors and administrators, never shown to citizens (not in the project's page, its
    history, the API or an export). Deleted with the project."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="valuation_notes",
        verbose_name=_("project"),
    )
    author = _staff_member(_("written by"))
    text = models.TextField(_("note"), max_length=5000)
    # The language it was written in: the valuator is written to in it (valuation.py).
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note on an assessment")
        verbose_name_plural = _("internal notes on assessments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.text[:60]}"
