import pytest

from samskab.accounts.models import VerificationLevel
from samskab.accounts.tests.factories import UserFactory
from samskab.polls.models import Option, Poll, Vote
from samskab.polls.selectors import Voter, poll_counters, poll_recount, poll_tally
from samskab.polls.services import (
    PollStateError,
    VoteRefused,
    poll_close,
    poll_open,
    vote_cast,
)
from samskab.polls.tests.factories import MeetingFactory, first_option, make_poll

pytestmark = pytest.mark.django_db


def viewer(n: int = 1) -> Voter:
    return Voter(user=None, viewer_key=f"{n:064x}")


def test_it_counts_a_vote_and_the_counter_agrees_with_a_recount():
    poll = make_poll()
    yes = first_option(poll)
    vote_cast(poll=poll, voter=viewer(1), options=[yes])
    vote_cast(poll=poll, voter=viewer(2), options=[yes])
    vote_cast(poll=poll, voter=viewer(3), options=[first_option(poll, 1)])
    assert poll_counters(poll) == poll_recount(poll)
    assert poll_recount(poll)[yes.pk] == 2
    tally = poll_tally(poll)
    assert tally["questions"][0]["total"] == 3
    assert tally["questions"][0]["options"][0]["percent"] == 66.7


def test_it_refuses_a_second_vote_kindly_and_keeps_the_count():
    poll = make_poll()
    vote_cast(poll=poll, voter=viewer(), options=[first_option(poll)])
    with pytest.raises(VoteRefused, match="already counted"):
        vote_cast(poll=poll, voter=viewer(), options=[first_option(poll, 1)])
    assert Vote.objects.count() == 1
    assert poll_counters(poll) == poll_recount(poll)
    assert sum(poll_counters(poll).values()) == 1


def test_one_vote_per_voter_is_a_database_constraint():
    from django.db import IntegrityError, transaction

    poll = make_poll()
    option = first_option(poll)
    Vote.objects.create(poll=poll, question=option.question, option=option, voter_key="v:x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(poll=poll, question=option.question, option=option, voter_key="v:x")


@pytest.mark.parametrize("status", [Poll.Status.CLOSED, Poll.Status.DRAFT])
def test_it_refuses_a_vote_in_a_poll_that_is_not_open(status):
    poll = make_poll(status=status)
    with pytest.raises(VoteRefused, match="closed"):
        vote_cast(poll=poll, voter=viewer(), options=[first_option(poll)])
    assert not Vote.objects.exists()


def test_it_refuses_an_option_of_another_poll():
    poll, other = make_poll(), make_poll()
    with pytest.raises(VoteRefused, match="does not belong"):
        vote_cast(poll=poll, voter=viewer(), options=[first_option(other)])
    assert not Vote.objects.exists()
    assert set(Option.objects.values_list("votes", flat=True)) == {0}


def test_it_refuses_a_partial_ballot_and_stores_nothing():
    poll = make_poll(questions=2)
    with pytest.raises(VoteRefused, match="every question"):
        vote_cast(poll=poll, voter=viewer(), options=[first_option(poll)])
    assert not Vote.objects.exists()


def test_it_counts_a_ballot_of_several_questions_at_once():
    poll = make_poll(questions=2)
    vote_cast(
        poll=poll, voter=viewer(), options=[first_option(poll), first_option(poll, 1, question=1)]
    )
    assert Vote.objects.filter(poll=poll).count() == 2


def test_it_refuses_a_viewer_without_a_token():
    poll = make_poll()
    with pytest.raises(VoteRefused, match="cookie"):
        vote_cast(poll=poll, voter=Voter(user=None, viewer_key=None), options=[first_option(poll)])


def test_a_signed_in_poll_refuses_anonymous_viewers_and_counts_users_once():
    poll = make_poll(voter_policy=Poll.VoterPolicy.SIGNED_IN)
    with pytest.raises(VoteRefused, match="Sign in"):
        vote_cast(poll=poll, voter=viewer(), options=[first_option(poll)])
    user = UserFactory()
    vote_cast(poll=poll, voter=Voter(user=user, viewer_key="a" * 64), options=[first_option(poll)])
    # Another browser of the same person is still the same voter.
    with pytest.raises(VoteRefused, match="already counted"):
        vote_cast(
            poll=poll, voter=Voter(user=user, viewer_key="b" * 64), options=[first_option(poll)]
        )
    assert Vote.objects.get().voter_key == f"u:{user.pk}"


def test_a_residents_poll_refuses_users_who_are_not_verified_residents():
    poll = make_poll(voter_policy=Poll.VoterPolicy.VERIFIED_RESIDENT)
    citizen = UserFactory()
    with pytest.raises(VoteRefused, match="verified residents"):
        vote_cast(
            poll=poll, voter=Voter(user=citizen, viewer_key=None), options=[first_option(poll)]
        )
    resident = UserFactory(verification_level=VerificationLevel.RESIDENT)
    vote_cast(poll=poll, voter=Voter(user=resident, viewer_key=None), options=[first_option(poll)])
    assert Vote.objects.count() == 1


def test_opening_and_closing_put_the_poll_on_the_recording_timeline():
    from datetime import timedelta

    from django.utils import timezone

    meeting = MeetingFactory(recording_started_at=timezone.now() - timedelta(minutes=10))
    poll = make_poll(meeting=meeting, status=Poll.Status.DRAFT)
    poll = poll_open(poll=poll)
    assert poll.status == Poll.Status.OPEN
    assert 599_000 <= poll.opened_offset_ms <= 601_000
    poll = poll_close(poll=poll)
    assert poll.status == Poll.Status.CLOSED
    assert poll.closed_offset_ms >= poll.opened_offset_ms
    with pytest.raises(PollStateError):
        poll_open(poll=poll)


def test_it_refuses_to_open_a_poll_without_two_options():
    poll = make_poll(options=("Ja",), status=Poll.Status.DRAFT)
    with pytest.raises(PollStateError, match="two options"):
        poll_open(poll=poll)


def test_it_refuses_to_open_a_poll_with_a_question_that_cannot_be_answered():
    from samskab.polls.models import Question

    poll = make_poll(questions=2, status=Poll.Status.DRAFT)
    Question.objects.create(poll=poll, text="Spørgsmål uden svar", position=3)
    with pytest.raises(PollStateError, match="Every question of the poll needs"):
        poll_open(poll=poll)
    Option.objects.filter(question__text="Spørgsmål 2").first().delete()
    Question.objects.filter(text="Spørgsmål uden svar").delete()
    with pytest.raises(PollStateError, match="two options"):
        poll_open(poll=poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT


def test_it_publishes_the_tally_after_commit_when_results_are_shown_live(
    monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr("samskab.live.publish_coalesced", lambda *args: published.append(args))
    shown, hidden = make_poll(), make_poll(show_results_live=False)
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(poll=shown, voter=viewer(), options=[first_option(shown)])
        vote_cast(poll=hidden, voter=viewer(), options=[first_option(hidden)])
    assert len(published) == 1
    channel, event, key, tally = published[0]
    assert (channel, event, key) == (f"poll:{shown.pk}", "tally", str(shown.pk))
    assert tally["questions"][0]["options"][0]["votes"] == 1


def test_opening_and_closing_tell_the_meetings_player(
    monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "samskab.live.publish_on_commit", lambda *args, **kw: published.append(args)
    )
    meeting = MeetingFactory()
    poll = make_poll(meeting=meeting, status=Poll.Status.DRAFT, show_results_live=False)
    poll_open(poll=poll)
    poll_close(poll=poll)
    to_player = [data for channel, event, data in published if channel == meeting.channel]
    assert [d["status"] for d in to_player] == ["open", "closed"]
    assert to_player[0]["box_url"] == f"/afstemninger/{poll.pk}/boks/"
    assert to_player[0]["tally"] is None  # the municipality chose not to show it live
    assert to_player[1]["tally"] is not None  # public once closed


def test_the_cached_shape_of_a_poll_follows_an_editors_change():
    from samskab.polls.models import Option
    from samskab.polls.selectors import poll_shape

    poll = make_poll()
    question = poll_shape(poll).questions[0]
    assert len(question.options) == 2
    Option.objects.create(question_id=question.id, text="Ved ikke", position=9)
    assert [text for _pk, text in poll_shape(poll).questions[0].options][-1] == "Ved ikke"
    Option.objects.filter(pk=question.options[0][0]).update(text="Ja tak")  # no signal
    # A bulk update in another process is seen within SHAPE_SECONDS; here: forget at once.
    from samskab.polls.selectors import forget_shapes

    forget_shapes()
    assert poll_shape(poll).questions[0].options[0][1] == "Ja tak"
