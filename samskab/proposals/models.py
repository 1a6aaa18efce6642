"""Citizens' proposals (MISSION C2, CONSUL's proposals, "borgerforslag"): a resident proposes
something the council should do; verified residents support it; at the threshold it
succeeds, staff answer it and may put it on a meeting's agenda.

States are mostly derived, never set on a timer: a proposal is *archived* once it is older
than the archive age without having succeeded, *successful* from the moment its supports
reached the threshold (`succeeded_at`), *retired* by its author, *hidden* by a moderator.
Staff's answer has a state of its own (`answer`). Areas and tags are the debates' (one list
of areas and tags for the municipality's citizens).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskab.debates.models import Area, Tag
from samskab.webcasts.models import AgendaItem

TITLE_MAX = 150
SUMMARY_MAX = 300
TEXT_MAX = 10000
MESSAGE_MAX = 2000


def archive_age() -> timedelta:
    return timedelta(days=round(settings.PROPOSALS_ARCHIVE_MONTHS * 365.25 / 12))


class Proposal(models.Model):
    class Answer(models.TextChoices):
        NONE = "", _("Not answered yet")
        EVALUATING = "evaluating", _("Being evaluated")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        AGENDA = "agenda", _("On the council's agenda")

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    text_html = models.TextField(_("text as shown"), blank=True)
    video_url = models.URLField(_("video link"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("author"),
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("area"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="proposals", verbose_name=_("tags"))
    # Supports from verified residents (the kernel's supports), counted in the transaction
    # that adds one (signals.support_changed); `proposals_recount` checks it.
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    hot_score = models.FloatField(_("hot score"), default=0)
    succeeded_at = models.DateTimeField(_("succeeded"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_reason = models.CharField(_("why it was retired"), max_length=500, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    answer = models.CharField(
        _("answer"), max_length=12, choices=Answer, default=Answer.NONE, blank=True
    )
    answer_text = models.TextField(_("official answer"), blank=True)
    answer_html = models.TextField(_("official answer as shown"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The council's agenda item that treats it (webcasts); the item links back through
    # core.backlinks, so webcasts never names proposals.
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agenda item"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # PostgreSQL: the Danish full text of the title, summary and text, kept by a trigger
    # when one of them is written (migration 0005), with a GIN index; a support's counter
    # UPDATE does not touch it. Empty on SQLite, which searches with LIKE.
    search_vector = SearchVectorField(_("search index"), null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        # One per order of the list (selectors.ordered), so a page is read in index order.
        indexes = [
            models.Index(fields=["-hot_score", "-id"], name="proposals_hot_idx"),
            models.Index(fields=["-support_count", "-id"], name="proposals_supports_idx"),
            models.Index(fields=["-comment_count", "-id"], name="proposals_commented_idx"),
            models.Index(fields=["-created_at", "-id"], name="proposals_new_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", args=[self.pk])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def is_successful(self) -> bool:
        return self.succeeded_at is not None

    def is_archived(self, now=None) -> bool:
        if self.is_successful:
            return False
        return self.created_at < (now or timezone.now()) - archive_age()

    @property
    def archived(self) -> bool:
        return self.is_archived()

    @property
    def is_supportable(self) -> bool:
        return not (self.is_hidden or self.is_retired or self.archived)

    @property
    def state(self) -> str:
        """One word for lists, filters and the API: hidden, retired, the answer's state,
        successful, archived or open."""
        if self.is_hidden:
            return "hidden"
        if self.is_retired:
            return "retired"
        if self.answer:
            return self.answer
        if self.is_successful:
            return "successful"
        if self.archived:
            return "archived"
        return "open"


class ProposalMessage(models.Model):
    """The author's message to the supporters (and followers) of a proposal."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="messages", verbose_name=_("proposal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("message"), max_length=MESSAGE_MAX)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to supporters")
        verbose_name_plural = _("messages to supporters")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.text[:40]}"
