"""Polls of an unpublished meeting are not public and take no votes (review L6)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.polls.models import Vote
from samskab.polls.selectors import poll_channel_may_listen, polls_public
from samskab.polls.services import VoteRefused, vote_cast
from samskab.polls.tests.factories import MeetingFactory, first_option, make_poll
from samskab.polls.votewriter import FALL_THROUGH, Ticket, write_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_poll():
    return make_poll(meeting=MeetingFactory(is_published=False), title="Hemmelig vox pop")


def test_the_poll_pages_do_not_show_it(client, hidden_poll):
    assert client.get(hidden_poll.get_absolute_url()).status_code == 404
    assert client.get(reverse("polls:box", args=[hidden_poll.pk])).status_code == 404
    assert "Hemmelig vox pop" not in client.get(reverse("polls:list")).content.decode()


def test_the_api_neither_lists_nor_shows_it(client, hidden_poll):
    meeting = hidden_poll.meeting_id
    assert client.get(f"/api/v1/polls?meeting={meeting}").json()["items"] == []
    assert client.get(f"/api/v1/polls/{hidden_poll.pk}").status_code == 404


def test_a_vote_is_refused_by_the_page_and_the_fast_path(client, hidden_poll):
    option = first_option(hidden_poll)
    client.get("/")  # a viewer cookie
    response = client.post(
        reverse("polls:vote", args=[hidden_poll.pk]),
        {f"q{option.question_id}": option.pk},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 404
    ticket = Ticket(hidden_poll.pk, {f"q{option.question_id}": str(option.pk)}, "a", "en")
    assert [outcome.kind for outcome in write_batch([ticket])] == [FALL_THROUGH]
    assert not Vote.objects.exists()


def test_the_service_counts_no_vote_even_for_staff(hidden_poll):
    from samskab.polls.selectors import Voter

    voter = Voter(user=StaffFactory(role=Role.OPERATOR), viewer_key="k")
    with pytest.raises(VoteRefused, match="not published"):
        vote_cast(poll=hidden_poll, voter=voter, options=[first_option(hidden_poll)])
    assert not Vote.objects.exists()


def test_its_live_channel_is_closed_to_the_public(hidden_poll):
    assert not poll_channel_may_listen(AnonymousUser(), None, str(hidden_poll.pk))
    shown = make_poll(meeting=MeetingFactory())
    assert poll_channel_may_listen(AnonymousUser(), None, str(shown.pk))


def test_the_meetings_operator_still_sees_it_to_try_it_out(client, hidden_poll):
    operator = StaffFactory(role=Role.OPERATOR)
    with_totp(operator)
    client.force_login(operator)
    assert client.get(hidden_poll.get_absolute_url()).status_code == 200
    assert poll_channel_may_listen(operator, None, str(hidden_poll.pk))


def test_polls_without_a_meeting_and_of_published_meetings_stay_public():
    loose = make_poll()
    shown = make_poll(meeting=MeetingFactory())
    assert set(polls_public()) == {loose, shown}


def test_publishing_the_meeting_makes_the_poll_public_again(client, hidden_poll):
    hidden_poll.meeting.is_published = True
    hidden_poll.meeting.save()
    assert client.get(hidden_poll.get_absolute_url()).status_code == 200
