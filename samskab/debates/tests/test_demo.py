import pytest

from samskab.accounts.demo import accounts_demo_load
from samskab.debates.demo import debates_demo_part
from samskab.debates.models import Debate


@pytest.mark.django_db
def test_the_demo_has_debates_in_every_state_with_votes_and_comments():
    accounts_demo_load({})
    debates_demo_part({})
    debates_demo_part({})  # idempotent
    debates = list(Debate.objects.all())
    assert len(debates) == 5
    assert any(d.is_featured for d in debates)
    assert any(d.status == Debate.Status.CLOSED for d in debates)
    assert any(d.is_hidden for d in debates)
    assert any(d.is_open and not d.is_featured for d in debates)
    assert all(d.vote_count > 0 for d in debates)
    assert sum(d.comment_count for d in debates) >= 4
    assert any(d.unverified_vote_count for d in debates)
