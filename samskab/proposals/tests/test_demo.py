import pytest

from samskab.accounts.demo import accounts_demo_load
from samskab.debates.demo import debates_demo_part
from samskab.proposals.demo import proposals_demo_part
from samskab.proposals.models import Proposal
from samskab.webcasts.demo import webcasts_demo_part


@pytest.mark.django_db
def test_the_demo_has_proposals_in_every_state():
    accounts_demo_load({})
    context: dict = {}
    webcasts_demo_part(context)
    debates_demo_part(context)
    proposals_demo_part(context)
    proposals_demo_part(context)  # idempotent
    proposals = list(Proposal.objects.all())
    assert len(proposals) == 10
    states = {p.state for p in proposals}
    assert states == {
        "open",
        "successful",
        "evaluating",
        "accepted",
        "rejected",
        "agenda",
        "retired",
        "archived",
        "hidden",
    }
    assert all(p.support_count > 0 for p in proposals if p.state != "archived")
    assert sum(1 for p in proposals if p.agenda_item_id) == 2
