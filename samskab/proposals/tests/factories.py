"""Proposals to test with: ProposalFactory(retired=True, archived=True, successful=True...)."""

from datetime import timedelta

import factory
from django.utils import timezone

from samskab.accounts.tests.factories import UserFactory
from samskab.debates import scoring
from samskab.debates.tests.factories import AreaFactory, ResidentFactory  # noqa: F401
from samskab.proposals.models import Proposal


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    class Params:
        hidden = False
        retired = False
        archived = False
        successful = False

    title = factory.Sequence(lambda n: f"Forslag nummer {n}")
    summary = "Kommunen bør gøre det."
    text = "Fordi det er en god idé."
    text_html = "<p>Fordi det er en god idé.</p>"
    author = factory.SubFactory(UserFactory)
    created_at = factory.LazyAttribute(
        lambda o: timezone.now() - timedelta(days=400 if o.archived else 0)
    )
    hidden_at = factory.LazyAttribute(lambda o: timezone.now() if o.hidden else None)
    retired_at = factory.LazyAttribute(lambda o: timezone.now() if o.retired else None)
    retired_reason = factory.LazyAttribute(lambda o: "Løst" if o.retired else "")
    succeeded_at = factory.LazyAttribute(lambda o: timezone.now() if o.successful else None)
    hot_score = factory.LazyAttribute(
        lambda o: scoring.hot_score(created_at=o.created_at, votes=0, comments=0)
    )
