"""Debates to test with: DebateFactory(status=..., hidden=True)."""

import factory
from django.utils import timezone

from samskab.accounts.models import VerificationLevel
from samskab.accounts.tests.factories import UserFactory
from samskab.debates import scoring
from samskab.debates.models import Area, Debate


class ResidentFactory(UserFactory):
    verification_level = VerificationLevel.RESIDENT


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Bydel {n}")


class DebateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debate

    class Params:
        hidden = False
        closed = False

    title = factory.Sequence(lambda n: f"Debat nummer {n}")
    text = "Hvad synes I om det?"
    text_html = "<p>Hvad synes I om det?</p>"
    author = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    status = factory.LazyAttribute(
        lambda o: Debate.Status.CLOSED if o.closed else Debate.Status.OPEN
    )
    hidden_at = factory.LazyAttribute(lambda o: timezone.now() if o.hidden else None)
    hot_score = factory.LazyAttribute(
        lambda o: scoring.hot_score(created_at=o.created_at, votes=0, comments=0)
    )
