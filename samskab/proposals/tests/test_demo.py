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


@pytest.mark.django_db
def test_every_demo_proposal_has_a_page_and_the_treated_one_shows_its_item(client):
    from samskab.accounts.roles import Role
    from samskab.accounts.tests.factories import StaffFactory, staff_sign_in

    accounts_demo_load({})
    context: dict = {}
    webcasts_demo_part(context)
    debates_demo_part(context)
    proposals_demo_part(context)
    staff_sign_in(client, StaffFactory(role=Role.MODERATOR))
    for proposal in Proposal.objects.all():
        assert client.get(proposal.get_absolute_url()).status_code == 200
    treated = Proposal.objects.get(title="Sikker skolevej i Vestbyen")
    page = client.get(treated.get_absolute_url()).text
    assert "Treated at the council meeting" in page and "Watch the item in the recording" in page
    for path in ("/forslag/", "/forslag/arkiv/", "/forslag/kort/", "/"):
        assert client.get(path).status_code == 200
