"""The API: the list (states, the archive), one proposal, supporting."""

import pytest

from samskab.accounts.tests.factories import UserFactory
from samskab.proposals.tests.factories import ProposalFactory, ResidentFactory
from samskab.supports.models import Support

pytestmark = pytest.mark.django_db


def test_the_list_and_detail_leave_hidden_and_archived_apart(client):
    shown = ProposalFactory(title="Synlig")
    ProposalFactory(hidden=True)
    old = ProposalFactory(title="Gammel", archived=True)
    assert [i["title"] for i in client.get("/api/v1/proposals").json()["items"]] == ["Synlig"]
    archived = client.get("/api/v1/proposals?archived=true").json()["items"]
    assert [i["title"] for i in archived] == ["Gammel"] and archived[0]["archived"]
    detail = client.get(f"/api/v1/proposals/{shown.pk}").json()
    assert detail["i_support"] is False and detail["supports_needed"] == 100
    assert client.get(f"/api/v1/proposals/{old.pk}").status_code == 200


def test_supporting_through_the_api(client):
    proposal = ProposalFactory()
    url = f"/api/v1/proposals/{proposal.pk}/support"
    assert client.post(url, {}, content_type="application/json").status_code == 401
    client.force_login(UserFactory())
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 403 and "Verify" in refused.json()["detail"]
    client.force_login(ResidentFactory())
    assert client.post(url, {}, content_type="application/json").json()["supports"] == 1
    assert client.post(url, {}, content_type="application/json").status_code == 409
    assert Support.objects.count() == 1


def test_an_archived_proposal_takes_no_support_through_the_api(client):
    proposal = ProposalFactory(archived=True)
    client.force_login(ResidentFactory())
    answer = client.post(
        f"/api/v1/proposals/{proposal.pk}/support", {}, content_type="application/json"
    )
    assert answer.status_code == 409 and "archived" in answer.json()["detail"]
