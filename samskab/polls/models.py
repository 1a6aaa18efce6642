"""Votes with a fixed set of options: vox pops in a webcast, later binding citizen votes (C4).

A poll has one or more questions; who may vote is its voter policy, not a special case.
One vote per voter per question is a unique index; option counters are updated in the same
transaction as the vote, and `selectors.poll_recount` checks them against the raw votes.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskab.core.attached import MeetingAttached


class Poll(MeetingAttached):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Prepared (not open yet)")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class VoterPolicy(models.TextChoices):
        ANYONE_ONCE_PER_VIEWER = "anyone", _("Anyone, once per browser (no account)")
        SIGNED_IN = "signed_in", _("Signed-in users")
        VERIFIED_RESIDENT = "verified_resident", _("Verified residents")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # A vox pop goes with its meeting (the shared field would keep it, unattached).
    meeting = models.ForeignKey(
        "webcasts.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("meeting"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    voter_policy = models.CharField(
        _("who may vote"),
        max_length=24,
        choices=VoterPolicy,
        default=VoterPolicy.ANYONE_ONCE_PER_VIEWER,
        help_text=_(
            "Once per browser stops a second vote from the same browser and limits how many "
            "votes one internet address can cast an hour. It does not stop one person voting "
            "from several browsers or devices, or a script that discards its cookies: the "
            "result is indicative only and is shown as not verified. For a result you can "
            "rely on, choose signed-in users (one vote per account) or verified residents "
            "(one vote per verified resident)."
        ),
    )
    show_results_live = models.BooleanField(
        _("show results while open"),
        default=True,
        help_text=_("Voters see the result update live while the poll is open."),
    )
    results_public = models.BooleanField(
        _("publish results when closed"),
        default=True,
        help_text=_("Anyone may read the result once the poll is closed."),
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Where it opened and closed on the meeting's recording are its timeline marks
    # (POLL_OPEN, POLL_CLOSE): see polls.timeline.with_offsets.
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # Not a field: the tally vote_cast counted, kept on the instance for the vote view.
    last_tally: dict

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("polls:detail", kwargs={"pk": self.pk})

    @property
    def channel(self) -> str:
        return f"poll:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def results_visible(self) -> bool:
        """May anyone read the result now?"""
        if self.status == self.Status.OPEN:
            return self.show_results_live
        if self.status == self.Status.CLOSED:
            return self.results_public
        return False


class Question(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="questions", verbose_name=_("poll")
    )
    text = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("vox pop questions")

    def __str__(self) -> str:
        return str(self.text)


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Kept equal to the number of Vote rows by services.vote_cast (same transaction).
    votes = models.PositiveIntegerField(_("votes"), default=0, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return str(self.text)


class Vote(models.Model):
    """One voter's choice on one question. The voter is a key, never a name: `u:<user pk>`
    for policies that need an account, `v:<hashed viewer token>` for anyone-once-per-browser."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="cast_votes")
    voter_key = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "voter_key"], name="polls_vote_one_per_voter_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id}"
