"""Casting, booths, totals and publishing, and the bad input the issue lists."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from samskab.accounts.tests.factories import UserFactory
from samskab.core.tests.factories import administrator
from samskab.votes import selectors, services
from samskab.votes.models import Ballot, Participation, Question
from samskab.votes.services import VoteRefused
from samskab.votes.tests.factories import (
    booth_with_officer,
    choices_for,
    resident,
    vote_with_questions,
)

pytestmark = pytest.mark.django_db


def _totals(vote, *, first_answer_votes: int, blank: int = 0, rankings=None):
    """Booth totals: every vote for the first answer of each question."""
    totals = {}
    for question in vote.questions.all():
        answers = list(question.answers.all())
        entry = {"answers": {str(answers[0].pk): first_answer_votes}, "blank": blank, "invalid": 0}
        if question.kind == Question.Kind.RANKING:
            entry = {
                "answers": {},
                "blank": blank,
                "invalid": 0,
                "rankings": rankings or [[first_answer_votes, [a.pk for a in answers]]],
            }
        totals[str(question.pk)] = entry
    return totals


def test_a_web_ballot_writes_one_participation_and_one_unlinked_ballot():
    vote = vote_with_questions()
    user, _ident = resident()
    cast = services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))
    assert len(cast.receipt_code) == 14
    participation = Participation.objects.get()
    ballot = Ballot.objects.get()
    assert participation.channel == "web" and participation.booth is None
    assert ballot.receipt == selectors.receipt_digest(cast.receipt_code)
    assert cast.receipt_code not in str(ballot.content)
    assert participation.age_band == "45-59" and participation.postal_code == "8000"


def test_voting_twice_on_the_web_is_refused_and_nothing_more_is_written():
    vote = vote_with_questions()
    user, _ident = resident()
    services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))
    with pytest.raises(VoteRefused, match="already voted on the web"):
        services.ballot_cast(vote=vote, user=user, choices=choices_for(vote, first=1))
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_web_then_booth_is_refused_at_the_booth():
    vote = vote_with_questions()
    user, ident = resident()
    booth, officer = booth_with_officer(vote)
    services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))
    lookup = services.booth_lookup(booth=booth, officer=officer, identifier=ident)
    assert not lookup.may_vote and "on the web" in lookup.message
    with pytest.raises(VoteRefused, match="on the web"):
        services.booth_record(booth=booth, officer=officer, identifier=ident)
    assert Participation.objects.count() == 1


def test_booth_then_web_is_refused_on_the_web():
    vote = vote_with_questions()
    user, ident = resident()
    booth, officer = booth_with_officer(vote)
    services.booth_record(booth=booth, officer=officer, identifier=ident)
    verdict = selectors.eligibility(vote, user)
    assert not verdict.allowed and "Rådhuset" in verdict.reason
    with pytest.raises(VoteRefused, match="Rådhuset"):
        services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))
    assert Ballot.objects.count() == 0


def test_the_database_refuses_a_second_participation_whatever_the_channel():
    from django.db import IntegrityError, transaction

    vote = vote_with_questions()
    _user, ident = resident()
    booth, officer = booth_with_officer(vote)
    services.booth_record(booth=booth, officer=officer, identifier=ident)
    row = Participation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            vote=vote, person=row.person, channel="web", day=row.day, booth=None
        )


def test_outside_the_area_or_under_age_is_told_why_before_the_ballot():
    day = datetime.date(2027, 3, 1)
    vote = vote_with_questions(postal_codes="8000 8200", min_age=16, age_day=day)
    far, _ = resident(postal_code="9000")
    young, young_ident = resident(born=datetime.date(2011, 3, 2))  # 15 on the day
    just, _ = resident(born=datetime.date(2011, 3, 1))  # 16 on the day
    verdict = selectors.eligibility(vote, far)
    assert not verdict.allowed and "8000, 8200" in verdict.reason and "9000" in verdict.reason
    verdict = selectors.eligibility(vote, young)
    assert not verdict.allowed and "16" in verdict.reason
    assert selectors.eligibility(vote, just).allowed
    for user in (far, young):
        with pytest.raises(VoteRefused):
            services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))
    booth, officer = booth_with_officer(vote)
    with pytest.raises(VoteRefused, match="16"):
        services.booth_record(booth=booth, officer=officer, identifier=young_ident)
    assert Participation.objects.count() == 0


def test_not_verified_or_not_in_census_may_not_vote():
    vote = vote_with_questions()
    assert "verified" in selectors.eligibility(vote, UserFactory()).reason
    from samskab.budgets.tests.factories import ResidentFactory

    assert "census" in selectors.eligibility(vote, ResidentFactory()).reason


def test_a_ballot_over_a_questions_maximum_is_refused():
    vote = vote_with_questions()
    user, _ = resident()
    multiple = vote.questions.get(kind=Question.Kind.MULTIPLE)
    choices = choices_for(vote)
    choices[multiple.pk] = [a.pk for a in multiple.answers.all()]  # three, at most two
    with pytest.raises(VoteRefused, match="at most 2"):
        services.ballot_cast(vote=vote, user=user, choices=choices)
    single = vote.questions.get(kind=Question.Kind.SINGLE)
    choices = choices_for(vote)
    choices[single.pk] = [a.pk for a in single.answers.all()][:2]
    with pytest.raises(VoteRefused, match="at most 1"):
        services.ballot_cast(vote=vote, user=user, choices=choices)
    other = vote_with_questions()
    choices = choices_for(vote)
    choices[single.pk] = [other.questions.first().answers.first().pk]
    with pytest.raises(VoteRefused, match="not in"):
        services.ballot_cast(vote=vote, user=user, choices=choices)
    assert Participation.objects.count() == 0


def test_an_officer_off_shift_may_not_look_up_or_record():
    vote = vote_with_questions()
    _user, ident = resident()
    booth, officer = booth_with_officer(vote, on_shift=False)
    with pytest.raises(VoteRefused, match="not on shift"):
        services.booth_lookup(booth=booth, officer=officer, identifier=ident)
    with pytest.raises(VoteRefused, match="not on shift"):
        services.booth_record(booth=booth, officer=officer, identifier=ident)


def test_closed_vote_takes_no_ballot():
    vote = vote_with_questions(status="closed")
    user, _ = resident()
    with pytest.raises(VoteRefused):
        services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))


def test_totals_reconcile_or_are_flagged_and_publishing_waits_for_them():
    vote = vote_with_questions()
    booth, officer = booth_with_officer(vote)
    for _ in range(3):
        _u, ident = resident()
        services.booth_record(booth=booth, officer=officer, identifier=ident)
    today = timezone.localdate()
    _entry, rec = services.booth_count_enter(
        booth=booth,
        officer=officer,
        day=today,
        kind="count",
        ballots_in_box=3,
        totals=_totals(vote, first_answer_votes=3),
    )
    assert rec is None
    # The recount finds four ballots: does not reconcile (count differs, box differs).
    _entry, rec = services.booth_count_enter(
        booth=booth,
        officer=officer,
        day=today,
        kind="recount",
        ballots_in_box=4,
        totals=_totals(vote, first_answer_votes=3, blank=1),
    )
    assert not rec.reconciles and not rec.counts_agree and not rec.box_matches
    admin = administrator()[0]
    vote.status = "closed"
    vote.save()
    with pytest.raises(VoteRefused, match="do not reconcile"):
        services.vote_publish(vote=vote, by=admin)
    # Counted again: three, as recorded.
    _entry, rec = services.booth_count_enter(
        booth=booth,
        officer=officer,
        day=today,
        kind="recount",
        ballots_in_box=3,
        totals=_totals(vote, first_answer_votes=3),
    )
    assert rec.reconciles
    services.vote_publish(vote=vote, by=admin)
    vote.refresh_from_db()
    single = vote.results["questions"][0]
    assert single["answers"][0]["booth"] == 3 and single["ballots"]["booth"] == 3


def test_a_non_reconciling_day_may_be_accepted_with_a_reason_only():
    vote = vote_with_questions()
    booth, officer = booth_with_officer(vote)
    _u, ident = resident()
    services.booth_record(booth=booth, officer=officer, identifier=ident)
    today = timezone.localdate()
    for kind in ("count", "recount"):
        _e, rec = services.booth_count_enter(
            booth=booth,
            officer=officer,
            day=today,
            kind=kind,
            ballots_in_box=2,
            totals=_totals(vote, first_answer_votes=2),
        )
    admin = administrator()[0]
    with pytest.raises(VoteRefused, match="Say why"):
        services.reconciliation_accept(reconciliation=rec, by=admin, note=" ")
    with pytest.raises(VoteRefused):
        services.reconciliation_accept(reconciliation=rec, by=officer, note="fejl")
    services.reconciliation_accept(reconciliation=rec, by=admin, note="En stemmeseddel for meget")
    assert selectors.unreconciled(vote) == []


def test_totals_over_the_box_are_refused():
    vote = vote_with_questions()
    booth, officer = booth_with_officer(vote)
    with pytest.raises(VoteRefused, match="more votes than"):
        services.booth_count_enter(
            booth=booth,
            officer=officer,
            day=timezone.localdate(),
            kind="count",
            ballots_in_box=2,
            totals=_totals(vote, first_answer_votes=5),
        )


def test_whole_count_web_and_booth_with_turnout_suppressed():
    vote = vote_with_questions()
    booth, officer = booth_with_officer(vote)
    receipts = []
    for i in range(7):
        user, _ = resident(postal_code="8000" if i < 6 else "8200")
        receipts.append(
            services.ballot_cast(
                vote=vote, user=user, choices=choices_for(vote, first=i % 2)
            ).receipt_code
        )
    blank_voter, _ = resident()
    services.ballot_cast(vote=vote, user=blank_voter, choices={})
    for _ in range(2):
        _u, ident = resident()
        services.booth_record(booth=booth, officer=officer, identifier=ident)
    admin = administrator()[0]
    vote = services.vote_close(vote=vote, by=admin)
    for kind in ("count", "recount"):
        services.booth_count_enter(
            booth=booth,
            officer=officer,
            day=timezone.localdate(),
            kind=kind,
            ballots_in_box=2,
            totals=_totals(vote, first_answer_votes=2),
        )
    services.vote_publish(vote=vote, by=admin)
    vote.refresh_from_db()
    single = vote.results["questions"][0]
    # Web: 4 for the first, 3 for the second, one blank; booth: 2 for the first.
    assert [(a["web"], a["booth"], a["total"]) for a in single["answers"]] == [
        (4, 2, 6),
        (3, 0, 3),
        (0, 0, 0),
    ]
    assert single["blank"] == {"web": 1, "booth": 0, "total": 1}
    assert single["ballots"] == {"web": 8, "booth": 2, "total": 10}
    ranking = vote.results["questions"][3]
    assert ranking["rounds"] and ranking["winner"] is not None
    turnout = vote.results["turnout"]
    assert turnout["total"] == 10
    # Two booth voters and one in 8200: suppressed (and the next smallest with it).
    assert dict(map(tuple, turnout["channels"])) == {"booth": None, "web": None}
    assert dict(map(tuple, turnout["areas"]))["8200"] is None
    assert all(selectors.receipt_counted(vote, code) for code in receipts)
    assert selectors.receipt_counted(vote, receipts[0].lower().replace("-", " "))
    assert not selectors.receipt_counted(vote, "AAAA-BBBB-CCCC")
    assert len(selectors.counted_receipts(vote)) == 8


def test_publishing_only_after_closing():
    vote = vote_with_questions()
    with pytest.raises(VoteRefused, match="only after"):
        services.vote_publish(vote=vote, by=administrator()[0])


@pytest.mark.django_db(transaction=True)
def test_two_tabs_at_once_count_once():
    """Two requests of the same person at the same moment: one ballot (PostgreSQL runs them
    truly at once; SQLite one after the other, the rule is the same)."""
    vote = vote_with_questions()
    user, _ = resident()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def cast() -> None:
        try:
            barrier.wait()
            services.ballot_cast(vote=vote, user=user, choices=choices_for(vote))
            outcomes.append("cast")
        except VoteRefused:
            outcomes.append("refused")
        except Exception as error:  # SQLite's lock under two writers
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("cast") == 1
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1
