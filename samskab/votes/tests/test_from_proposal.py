"""A vote started from a proposal: the proposal's followers and author are told when voting
opens (through the kernel's follows and notifications), not while it is being prepared."""

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.activity.models import Event
from samskab.follows.services import follow_add
from samskab.notifications.models import Notification
from samskab.proposals import services as proposals
from samskab.proposals.tests.factories import ProposalFactory
from samskab.votes import services

pytestmark = pytest.mark.django_db

KIND = "proposals.proposal.vote_opened"


def test_followers_of_the_proposal_are_told_when_its_vote_opens():
    proposal = ProposalFactory(successful=True)
    follower, other = UserFactory(), UserFactory()
    follow_add(target=proposal, user=follower)
    editor = StaffFactory(role=Role.EDITOR)
    follow_add(target=proposal, user=editor)  # the one who opens it is not told
    vote = proposals.proposal_vote_start(
        proposal=proposal, user=editor, commitment="Byrådet følger flertallet."
    )
    services.question_add(vote=vote, text="Skal forslaget gennemføres?", kind="yes_no")
    assert not Notification.objects.filter(kind=KIND).exists()  # in preparation: not yet

    services.vote_open(vote=vote, by=editor)

    told = set(Notification.objects.filter(kind=KIND).values_list("user_id", flat=True))
    assert follower.pk in told and proposal.author_id in told
    assert editor.pk not in told and other.pk not in told
    event = Event.objects.get(kind="vote_opened", object_id=proposal.pk)
    assert event.note == vote.title and event.actor == editor


def test_a_vote_without_an_origin_opens_without_telling_anyone():
    editor = StaffFactory(role=Role.EDITOR)
    vote = services.vote_create(title="Torvet", commitment="Vi følger det.")
    services.question_add(vote=vote, text="Ja eller nej?", kind="yes_no")
    services.vote_open(vote=vote, by=editor)
    assert not Event.objects.filter(kind="vote_opened").exists()
    assert not Notification.objects.exists()
