"""The demo has a binding vote in each state, and the front page shows the open one."""

import pytest

from samskab.accounts.demo import accounts_demo_load
from samskab.votes.demo import votes_demo_part
from samskab.votes.models import BindingVote

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_vote_in_each_state_and_the_front_page_shows_the_open_one(client):
    accounts_demo_load({})
    assert votes_demo_part({})
    assert votes_demo_part({}) == []  # idempotent
    votes = {vote.status: vote for vote in BindingVote.objects.all()}
    assert set(votes) == {"draft", "open", "closed", "published"}
    assert votes["published"].results is not None
    assert votes["open"].areas and "Demoby N" in client.get(votes["open"].get_absolute_url()).text
    front = client.get("/").text
    assert "Binding votes open now" in front and votes["open"].title in front
    assert votes["draft"].title not in front and votes["closed"].title not in front
    for vote in votes.values():
        if vote.status != "draft":
            assert client.get(vote.get_absolute_url()).status_code == 200


def test_the_front_page_has_no_vote_section_without_an_open_vote(client):
    assert "Binding votes open now" not in client.get("/").text
