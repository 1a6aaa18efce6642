"""The API: the list, one debate, and the vote (PUT sets, DELETE takes back)."""

import pytest

from samskab.accounts.tests.factories import UserFactory
from samskab.debates.models import DebateVote
from samskab.debates.tests.factories import DebateFactory

pytestmark = pytest.mark.django_db


def test_the_list_and_detail_leave_hidden_debates_out(client):
    shown = DebateFactory(title="Synlig")
    hidden = DebateFactory(hidden=True)
    items = client.get("/api/v1/debates?order=new").json()["items"]
    assert [item["title"] for item in items] == ["Synlig"]
    assert client.get(f"/api/v1/debates/{shown.pk}").json()["my_vote"] is None
    assert client.get(f"/api/v1/debates/{hidden.pk}").status_code == 404


def test_a_vote_is_replaced_and_taken_back(client):
    debate = DebateFactory()
    client.force_login(UserFactory())
    url = f"/api/v1/debates/{debate.pk}/vote"
    client.put(url, {"value": "agree"}, content_type="application/json")
    answer = client.put(url, {"value": "disagree"}, content_type="application/json").json()
    assert answer == {"my_vote": "disagree", "agree": 0, "disagree": 1}
    assert DebateVote.objects.count() == 1
    assert client.delete(url).json()["my_vote"] is None
    assert not DebateVote.objects.exists()


def test_voting_needs_a_sign_in_and_an_open_debate(client):
    debate = DebateFactory(closed=True)
    url = f"/api/v1/debates/{debate.pk}/vote"
    assert client.put(url, {"value": "agree"}, content_type="application/json").status_code == 401
    client.force_login(UserFactory())
    assert client.put(url, {"value": "agree"}, content_type="application/json").status_code == 409


def test_past_the_cap_the_api_refuses_with_403(client, settings):
    settings.DEBATES_MAX_UNVERIFIED_VOTE_PERCENT = 0
    settings.DEBATES_UNVERIFIED_CAP_FROM_VOTES = 0
    debate = DebateFactory()
    client.force_login(UserFactory())
    answer = client.put(
        f"/api/v1/debates/{debate.pk}/vote", {"value": "agree"}, content_type="application/json"
    )
    assert answer.status_code == 403 and "Verify" in answer.json()["detail"]
