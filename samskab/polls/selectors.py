"""Reads for polls: who is voting, tallies, recounts, polls of a meeting."""

from dataclasses import dataclass

from django.db.models import QuerySet

from samskab.polls.counting import percentages, recount
from samskab.polls.models import Option, Poll, Vote


@dataclass(frozen=True)
class Voter:
    """Who is voting, as the services see it (they never take a request)."""

    user: object | None  # a User, or None / AnonymousUser
    viewer_key: str | None  # hashed viewer token, None if the browser sent no valid cookie

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    def key_for(self, poll: Poll) -> str | None:
        if poll.voter_policy == Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER:
            return f"v:{self.viewer_key}" if self.viewer_key else None
        return f"u:{self.user.pk}" if self.is_authenticated else None


def voter_from_request(request) -> Voter:
    """A forged or missing viewer cookie reads as no token (the signature fails)."""
    viewer = getattr(request, "viewer", None)
    viewer_key = viewer.key if viewer is not None and viewer.has_token else None
    return Voter(user=getattr(request, "user", None), viewer_key=viewer_key)


def poll_tally(poll: Poll) -> dict:
    """The result as shown and published live: from the counters (kept in step with votes)."""
    questions = []
    for question in poll.questions.prefetch_related("options"):
        options = list(question.options.all())
        results = percentages({o.pk: o.votes for o in options}, [(o.pk, o.text) for o in options])
        questions.append(
            {
                "id": question.pk,
                "text": question.text,
                "total": sum(r.votes for r in results),
                "options": [
                    {"id": r.option_id, "text": r.text, "votes": r.votes, "percent": r.percent}
                    for r in results
                ],
            }
        )
    return {"poll": poll.pk, "status": poll.status, "questions": questions}


def poll_recount(poll: Poll) -> dict[int, int]:
    """{option_id: votes} counted from the raw Vote rows, every option present."""
    counted = recount(Vote.objects.filter(poll=poll).values_list("question_id", "option_id"))
    options = Option.objects.filter(question__poll=poll).values_list("pk", flat=True)
    return {pk: counted.get(pk, 0) for pk in options}


def poll_counters(poll: Poll) -> dict[int, int]:
    return dict(Option.objects.filter(question__poll=poll).values_list("pk", "votes"))


def voter_has_voted(poll: Poll, voter: Voter) -> bool:
    key = voter.key_for(poll)
    return key is not None and Vote.objects.filter(poll=poll, voter_key=key).exists()


def polls_public() -> QuerySet[Poll]:
    return Poll.objects.exclude(status=Poll.Status.DRAFT).select_related("meeting")


def polls_open_for_meeting(meeting) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(meeting=meeting, status=Poll.Status.OPEN)
        .prefetch_related("questions__options")
        .order_by("opened_at", "pk")
    )


def polls_for_console(meeting) -> QuerySet[Poll]:
    return Poll.objects.filter(meeting=meeting).order_by("created_at", "pk")


def poll_channel_may_listen(user, viewer, key: str) -> bool:
    if not key.isdigit():
        return False
    poll = Poll.objects.filter(pk=int(key)).first()
    return poll is not None and poll.results_visible
