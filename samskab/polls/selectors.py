"""Reads for polls: who is voting, tallies, recounts, polls of a meeting."""

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from samskab.polls.counting import percentages, recount
from samskab.polls.models import Option, Poll, Question, Vote

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from samskab.accounts.models import User


@dataclass(frozen=True)
class Voter:
    """Who is voting, as the services see it (they never take a request)."""

    user: "User | AnonymousUser | None"
    viewer_key: str | None  # hashed viewer token, None if the browser sent no valid cookie

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    def key_for(self, poll: Poll) -> str | None:
        if poll.voter_policy == Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER:
            return f"v:{self.viewer_key}" if self.viewer_key else None
        user = self.user
        return f"u:{user.pk}" if user is not None and user.is_authenticated else None


def voter_from_request(request) -> Voter:
    """A forged or missing viewer cookie reads as no token (the signature fails)."""
    viewer = getattr(request, "viewer", None)
    viewer_key = viewer.key if viewer is not None and viewer.has_token else None
    return Voter(user=getattr(request, "user", None), viewer_key=viewer_key)


@dataclass(frozen=True)
class QuestionShape:
    id: int
    text: str
    options: tuple[tuple[int, str], ...]  # (option pk, text) in order


@dataclass(frozen=True)
class PollShape:
    """A poll's questions and options: what a vote is checked against and a tally shows."""

    questions: tuple[QuestionShape, ...]

    @property
    def question_of(self) -> dict[int, int]:
        return {pk: q.id for q in self.questions for pk, _text in q.options}


# A burst of votes on one vox pop must not read the same questions and options thousands
# of times a second. Options are fixed once a poll is open; the short lifetime covers an
# editor correcting a typo, and every process builds its own copy.
SHAPE_SECONDS = 5.0
_shapes: dict[int, tuple[float, PollShape]] = {}


def poll_shape(poll: Poll | int) -> PollShape:
    pk = poll if isinstance(poll, int) else poll.pk
    cached = _shapes.get(pk)
    now = time.monotonic()
    if cached is not None and now - cached[0] < SHAPE_SECONDS:
        return cached[1]
    questions: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for qid, qtext, oid, otext in (
        Option.objects.filter(question__poll_id=pk)
        .order_by("question__position", "question_id", "position", "pk")
        .values_list("question_id", "question__text", "pk", "text")
    ):
        questions.setdefault(qid, (qtext, []))[1].append((oid, otext))
    for qid, qtext in (
        Question.objects.filter(poll_id=pk).exclude(pk__in=questions).values_list("pk", "text")
    ):
        questions[qid] = (qtext, [])
    shape = PollShape(
        tuple(QuestionShape(qid, text, tuple(opts)) for qid, (text, opts) in questions.items())
    )
    if len(_shapes) > 1000:
        _shapes.clear()
    _shapes[pk] = (now, shape)
    return shape


def forget_shapes(**_kwargs) -> None:
    """Connected to every save and delete of a question or option (apps.py)."""
    _shapes.clear()


# What `poll:<id>` carries (live.events, event shapes): the tally as tally_from_counters gives
# it, and the poll's state as services._publish_state gives it (also on its meeting's channel).
TALLY = {
    "poll": int,
    "status": str,
    "questions": [
        {
            "id": int,
            "text": str,
            "total": int,
            "options": [{"id": int, "text": str, "votes": int, "percent": float}],
        }
    ],
}
POLL_STATE = {
    "poll": int,
    "title": str,
    "status": str,
    "tally": (TALLY, None),
    "box_url": str,
    "offset_ms": (int, None),
}
POLL_EVENTS = {"status": POLL_STATE, "tally": TALLY}


def tally_from_counters(poll: Poll, shape: PollShape, counters: dict[int, int]) -> dict:
    """The result as shown and published live, from the option counters."""
    questions = []
    for question in shape.questions:
        results = percentages(counters, question.options)
        questions.append(
            {
                "id": question.id,
                "text": question.text,
                "total": sum(r.votes for r in results),
                "options": [
                    {"id": r.option_id, "text": r.text, "votes": r.votes, "percent": r.percent}
                    for r in results
                ],
            }
        )
    return {"poll": poll.pk, "status": poll.status, "questions": questions}


def poll_tally(poll: Poll) -> dict:
    """The result as shown and published live: from the counters (kept in step with votes)."""
    return tally_from_counters(poll, poll_shape(poll), poll_counters(poll))


def poll_recount(poll: Poll) -> dict[int, int]:
    """{option_id: votes} counted from the raw Vote rows, every option present."""
    counted = recount(Vote.objects.filter(poll=poll).values_list("question_id", "option_id"))
    options = Option.objects.filter(question__poll=poll).values_list("pk", flat=True)
    return {pk: counted.get(pk, 0) for pk in options}


def poll_counters(poll: Poll) -> dict[int, int]:
    return dict(Option.objects.filter(question__poll=poll).values_list("pk", "votes"))


def option_counters(option_ids) -> dict[int, int]:
    """The counters of these options, by primary key (no join)."""
    return dict(Option.objects.filter(pk__in=list(option_ids)).values_list("pk", "votes"))


def voter_has_voted(poll: Poll, voter: Voter) -> bool:
    key = voter.key_for(poll)
    return key is not None and Vote.objects.filter(poll=poll, voter_key=key).exists()


def polls_public() -> QuerySet[Poll]:
    """Polls anyone may see: not drafts, and not of a meeting that is unpublished (L6)."""
    return (
        Poll.objects.exclude(status=Poll.Status.DRAFT)
        .exclude(meeting__is_published=False)
        .select_related("meeting")
    )


def poll_visible(poll: Poll, user) -> bool:
    """May `user` see this poll? A public one, or one of an unpublished meeting to the staff
    who may see that meeting (an operator trying the vox pop before publishing)."""
    if poll.status == Poll.Status.DRAFT:
        return False
    meeting = poll.meeting
    return (
        meeting is None or meeting.is_published or user.has_perm("webcasts.view_meeting", meeting)
    )


def polls_open_for_meeting(meeting) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(meeting=meeting, status=Poll.Status.OPEN)
        .prefetch_related("questions__options")
        .order_by("opened_at", "pk")
    )


def polls_of_meeting_page(meeting) -> QuerySet[Poll]:
    """Open polls, and closed ones that were open during the recording (the archive shows
    them at the moment they opened, or at its start if they opened before it), in the order
    they opened; with their offsets (`timeline.with_offsets`)."""
    from samskab.polls.timeline import with_offsets

    return (
        with_offsets(Poll.objects.filter(meeting=meeting))
        .filter(
            Q(status=Poll.Status.OPEN)
            | Q(status=Poll.Status.CLOSED, opened_offset_ms__isnull=False)
            | Q(status=Poll.Status.CLOSED, closed_offset_ms__isnull=False)
        )
        .order_by("opened_at", "pk")
    )


def polls_for_console(meeting) -> QuerySet[Poll]:
    return Poll.objects.filter(meeting=meeting).order_by("created_at", "pk")


def poll_channel_may_listen(user, viewer, key: str) -> bool:
    if not key.isdigit():
        return False
    poll = Poll.objects.select_related("meeting").filter(pk=int(key)).first()
    return poll is not None and poll.results_visible and poll_visible(poll, user)
