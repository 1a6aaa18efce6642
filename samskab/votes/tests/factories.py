"""Votes to test with: a vote with questions, residents in the census, officers on shift."""

import datetime
import itertools

from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.budgets.tests.factories import ResidentFactory, census_person
from samskab.votes import services
from samskab.votes.models import BindingVote, Booth, Question, Shift

_numbers = itertools.count(1001)


def identifier() -> str:
    """A fresh ten-digit identifier."""
    return f"{next(_numbers):04d}{next(_numbers) % 1000000:06d}"


def vote_with_questions(*, status: str = "open", **fields) -> BindingVote:
    """Three questions: single choice, several (at most 2), yes/no; plus a ranking."""
    vote = services.vote_create(
        title="Torvets nye udformning",
        commitment="Byrådet følger resultatet.",
        **fields,
    )
    services.question_add(vote=vote, text="Hvilket forslag?", answers=["Grønt", "Åbent", "Vand"])
    services.question_add(
        vote=vote,
        text="Hvad skal der være?",
        kind=Question.Kind.MULTIPLE,
        max_choices=2,
        answers=["Bænke", "Træer", "Legeplads"],
    )
    services.question_add(vote=vote, text="Skal biler ud?", kind=Question.Kind.YES_NO)
    services.question_add(
        vote=vote,
        text="Ranger planerne",
        kind=Question.Kind.RANKING,
        answers=["Plan A", "Plan B", "Plan C"],
    )
    if status != "draft":
        BindingVote.objects.filter(pk=vote.pk).update(status=status)
        vote.refresh_from_db()
    return vote


def resident(*, born=None, postal_code: str = "8000"):
    """A verified resident in the census; returns (user, identifier)."""
    user = ResidentFactory()
    ident = identifier()
    census_person(ident, born=born or datetime.date(1980, 5, 1), postal_code=postal_code, user=user)
    return user, ident


def booth_with_officer(vote: BindingVote, *, on_shift: bool = True):
    booth = Booth.objects.create(vote=vote, name="Rådhuset", address="Rådhuspladsen 2")
    officer = StaffFactory(role=Role.POLL_OFFICER)
    now = timezone.now()
    start = now - datetime.timedelta(hours=2) if on_shift else now + datetime.timedelta(hours=2)
    Shift.objects.create(
        booth=booth, officer=officer, starts_at=start, ends_at=start + datetime.timedelta(hours=4)
    )
    return booth, officer


def choices_for(vote: BindingVote, *, first: int = 0) -> dict[int, list[int]]:
    """A full ballot: answer `first` of each question (two on the multiple, all ranked)."""
    ballot = {}
    for question in vote.questions.all():
        answers = [a.pk for a in question.answers.all()]
        if question.kind == Question.Kind.MULTIPLE:
            ballot[question.pk] = answers[first : first + 2] or answers[:1]
        elif question.kind == Question.Kind.RANKING:
            ballot[question.pk] = answers[first:] + answers[:first]
        else:
            ballot[question.pk] = [answers[first % len(answers)]]
    return ballot
