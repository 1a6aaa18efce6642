"""Meetings and polls for the dialogue tests (webcasts has no factories yet)."""

from datetime import timedelta

import factory
from django.utils import timezone

from samskab.polls.models import Option, Poll, Question
from samskab.webcasts.models import AgendaItem, Body, Meeting, Person


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Udvalg {n}")
    slug = factory.Sequence(lambda n: f"udvalg-{n}")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Møde {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=30))
    status = Meeting.Status.LIVE


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Punkt {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Politiker {n}")
    slug = factory.Sequence(lambda n: f"politiker-{n}")


def make_poll(
    *,
    options: tuple[str, ...] = ("Ja", "Nej"),
    questions: int = 1,
    status: str = Poll.Status.OPEN,
    **fields,
) -> Poll:
    """A poll with `questions` questions, each with `options`."""
    poll = Poll.objects.create(title=fields.pop("title", "Skal vi bygge cykelstien?"), **fields)
    for q in range(questions):
        question = Question.objects.create(poll=poll, text=f"Spørgsmål {q + 1}", position=q)
        for position, text in enumerate(options):
            Option.objects.create(question=question, text=text, position=position)
    if status != Poll.Status.DRAFT:
        Poll.objects.filter(pk=poll.pk).update(status=status, opened_at=timezone.now())
        poll.refresh_from_db()
    return poll


def first_option(poll: Poll, index: int = 0, question: int = 0) -> Option:
    return list(poll.questions.all()[question].options.all())[index]
