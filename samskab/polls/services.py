"""Writes for polls: open, close, cast a vote. Live tallies are published after commit."""

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab import live
from samskab.core.db import serialised_writes
from samskab.live.channels import kind_of
from samskab.polls.models import Option, Poll, Vote
from samskab.polls.selectors import (
    Voter,
    option_counters,
    poll_shape,
    poll_tally,
    tally_from_counters,
)
from samskab.polls.timeline import poll_mark_add
from samskab.webcasts.models import TimelineMark


class VoteRefused(Exception):
    """A vote that is not counted; the message is for the voter."""


class VoteInvalid(VoteRefused):
    """Bad input rather than a refusal: an option of another poll, a question left out."""


class PollStateError(Exception):
    pass


def _publish_state(poll: Poll, mark: TimelineMark | None = None) -> None:
    tally = poll_tally(poll) if poll.results_visible else None
    data = {
        "poll": poll.pk,
        "title": poll.title,
        "status": poll.status,
        "tally": tally,
        "box_url": reverse("polls:box", args=[poll.pk]),
        # Where on the recording it opened or closed: the archive's timeline shows it there.
        "offset_ms": mark.offset_ms if mark is not None else None,
    }
    live.publish_on_commit(poll.channel, "status", data)
    # The player follows its meeting's channel, if the webcasts app has registered it.
    if poll.meeting_id and kind_of(f"meeting:{poll.meeting_id}") is not None:
        live.publish_on_commit(f"meeting:{poll.meeting_id}", "poll", data)


def poll_open(*, poll: Poll) -> Poll:
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.DRAFT:
            raise PollStateError(_("Only a prepared poll can be opened."))
        # Every question: the form asks each one, so one without a choice stops every vote.
        options_per_question = poll.questions.annotate(n=Count("options")).values_list(
            "n", flat=True
        )
        if min(options_per_question, default=0) < 2:
            raise PollStateError(_("Every question of the poll needs at least two options."))
        now = timezone.now()
        poll.status = Poll.Status.OPEN
        poll.opened_at = now
        poll.save(update_fields=["status", "opened_at"])
        # On the meeting's timeline: the archive shows it there, the editor can move it.
        mark = poll_mark_add(poll=poll, kind=TimelineMark.Kind.POLL_OPEN, at=now)
        _publish_state(poll, mark)
    return poll


QUICK_MAX_OPTIONS = 8


def poll_quick_create(
    *,
    meeting,
    question: str,
    options: list[str],
    agenda_item=None,
    voter_policy: str = Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER,
    open_now: bool = False,
) -> Poll:
    """A vox pop made from the console during a meeting: one question, its options, and
    opened at once if asked (with the same checks and timeline mark as `poll_open`)."""
    texts = [text.strip() for text in options if text.strip()]
    if len(texts) < 2:
        raise PollStateError(_("Write at least two options, one per line."))
    if len(texts) > QUICK_MAX_OPTIONS:
        raise PollStateError(
            _("A vox pop has at most %(count)s options.") % {"count": QUICK_MAX_OPTIONS}
        )
    if len({text.casefold() for text in texts}) != len(texts):
        raise PollStateError(_("Two options have the same text."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise PollStateError(_("The agenda item belongs to another meeting."))
    with transaction.atomic():
        poll = Poll.objects.create(
            title=question.strip()[:200],
            meeting=meeting,
            agenda_item=agenda_item,
            voter_policy=voter_policy,
        )
        asked = poll.questions.create(text=question.strip()[:300], position=0)
        Option.objects.bulk_create(
            Option(question=asked, text=text[:200], position=position)
            for position, text in enumerate(texts)
        )
        if open_now:
            poll = poll_open(poll=poll)
    return poll


def poll_close(*, poll: Poll) -> Poll:
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.OPEN:
            raise PollStateError(_("Only an open poll can be closed."))
        now = timezone.now()
        poll.status = Poll.Status.CLOSED
        poll.closed_at = now
        poll.save(update_fields=["status", "closed_at"])
        mark = poll_mark_add(poll=poll, kind=TimelineMark.Kind.POLL_CLOSE, at=now)
        _publish_state(poll, mark)
    return poll


def policy_refusal(poll: Poll, voter: Voter) -> str | None:
    """Why this voter may not vote in this poll, or None."""
    policy = poll.voter_policy
    if policy == Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER:
        if not voter.viewer_key:
            return _(
                "Your browser did not send the cookie that lets it vote once. "
                "Allow cookies for this site and reload the page."
            )
        return None
    user = voter.user
    if user is None or not user.is_authenticated:
        return _("Sign in to vote in this poll.")
    if policy == Poll.VoterPolicy.VERIFIED_RESIDENT and not user.is_resident_verified:
        return _("Only verified residents of the municipality may vote in this poll.")
    return None


def poll_channels_close(*, meeting) -> None:
    """End the live streams of a meeting's polls (it was unpublished): their followers are
    checked again when they reconnect (review I5)."""
    for pk in Poll.objects.filter(meeting=meeting).values_list("pk", flat=True):
        live.close_channel_on_commit(f"poll:{pk}")


def vote_cast(*, poll: Poll, voter: Voter, options: list) -> list[Vote]:
    """Count one option for every question of the poll, all or nothing.

    `options` are Option objects or their primary keys. This is the hot path of a vox pop
    (thousands of votes in a minute): the poll's questions and options come from a
    per-process cache, and a vote is one short transaction (status check, insert, counter
    update, counters read back for the live result).
    """
    if poll.status != Poll.Status.OPEN:
        raise VoteRefused(_("This poll is closed; votes are no longer counted."))
    if poll.meeting is not None and not poll.meeting.is_published:
        raise VoteRefused(_("This poll's meeting is not published; votes are not counted."))
    shape = poll_shape(poll)
    question_of = shape.question_of
    chosen: dict[int, int] = {}
    for option in options:
        option_id = getattr(option, "pk", option)
        question_id = question_of.get(option_id)
        if question_id is None:
            raise VoteInvalid(_("That option does not belong to this poll."))
        if question_id in chosen:
            raise VoteInvalid(_("Choose one option per question."))
        chosen[question_id] = option_id
    if set(chosen) != {q.id for q in shape.questions}:
        raise VoteInvalid(_("Answer every question of the poll to vote."))
    refusal = policy_refusal(poll, voter)
    if refusal:
        raise VoteRefused(refusal)
    key = voter.key_for(poll)
    if key is None:  # not reached: policy_refusal refuses every voter without a key
        raise VoteRefused(_("Sign in to vote in this poll."))
    try:
        with serialised_writes(), transaction.atomic():
            # Lock the poll row: a vote racing poll_close() is either counted or refused.
            status = (
                Poll.objects.select_for_update().values_list("status", flat=True).get(pk=poll.pk)
            )
            if status != Poll.Status.OPEN:
                raise VoteRefused(_("This poll is closed; votes are no longer counted."))
            votes = Vote.objects.bulk_create(
                [
                    Vote(poll=poll, question_id=qid, option_id=option_id, voter_key=key)
                    for qid, option_id in chosen.items()
                ]
            )
            Option.objects.filter(pk__in=list(chosen.values())).update(votes=F("votes") + 1)
            if poll.show_results_live:
                counters = option_counters(question_of)
    except IntegrityError:
        raise VoteRefused(
            _("Thank you, your vote is already counted. Each voter can vote once.")
        ) from None
    if poll.show_results_live:
        tally = tally_from_counters(poll, shape, counters)
        # Kept for the caller (the vote view shows the same result without asking again).
        poll.last_tally = tally
        transaction.on_commit(
            lambda: live.publish_coalesced(poll.channel, "tally", str(poll.pk), tally)
        )
    return votes
