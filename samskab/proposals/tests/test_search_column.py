"""PostgreSQL's search column (migration 0005): the trigger writes it when the title, the
summary or the text is written, by any statement, and a support's counter UPDATE leaves it
as it is."""

import pytest
from django.db import connection

from samskab.proposals import selectors, services
from samskab.proposals.models import Proposal
from samskab.proposals.tests.factories import ProposalFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _found(q: str) -> set[int]:
    return set(selectors.search(Proposal.objects.all(), q).values_list("pk", flat=True))


def test_the_column_follows_the_text_and_not_the_counter():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no search column; it searches the fields with LIKE.")
    proposal = ProposalFactory(title="Flere bænke ved åen", text="Til de ældre.")
    assert _found("bænkene") == {proposal.pk}  # Danish stemming, from the INSERT
    Proposal.objects.filter(pk=proposal.pk).update(title="En ny svømmehal")
    assert _found("svømmehallen") == {proposal.pk} and _found("bænke") == set()
    # A marker in the column (a statement naming only the column: no trigger), which a
    # support must leave: had its counter UPDATE fired the trigger, the text would be back.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE proposals_proposal SET search_vector = to_tsvector('simple', 'markør') "
            "WHERE id = %s",
            [proposal.pk],
        )
    services.proposal_support(proposal=proposal, user=ResidentFactory())
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    assert _found("markør") == {proposal.pk} and _found("svømmehal") == set()
