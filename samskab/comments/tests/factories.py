"""Factories for places to comment on and for comments."""

import factory
from django.utils import timezone

from samskab.accounts.tests.factories import UserFactory
from samskab.comments.models import Comment
from samskab.core.markdown import render_markdown
from samskab.webcasts.models import Body, Meeting


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
    starts_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    target = factory.SubFactory(MeetingFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Kommentar nummer {n}")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))
    status = Comment.Status.PUBLISHED
