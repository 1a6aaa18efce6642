"""The hot score and the cap, as arithmetic: no database."""

from datetime import UTC, datetime, timedelta

from samskab.debates.scoring import DECADE, Cap, hot_score, hotness_now, unverified_vote_allowed

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def test_a_newer_debate_with_the_same_activity_is_hotter():
    old = hot_score(created_at=NOW - timedelta(days=2), votes=10, comments=1)
    new = hot_score(created_at=NOW, votes=10, comments=1)
    assert new > old


def test_ten_times_the_activity_is_worth_one_decade_of_age():
    older_busier = hot_score(created_at=NOW - DECADE, votes=99, comments=0)
    newer_quieter = hot_score(created_at=NOW, votes=9, comments=0)
    assert abs(older_busier - newer_quieter) < 1e-5


def test_an_older_debate_with_far_more_activity_stays_ahead():
    old = hot_score(created_at=NOW - timedelta(days=1), votes=200, comments=20)
    new = hot_score(created_at=NOW, votes=3, comments=0)
    assert old > new


def test_a_comment_counts_as_two_votes():
    assert hot_score(created_at=NOW, votes=0, comments=1) == hot_score(
        created_at=NOW, votes=2, comments=0
    )


def test_the_stored_score_reads_back_as_decayed_activity():
    score = hot_score(created_at=NOW - DECADE, votes=99, comments=0)
    assert round(hotness_now(score=score, now=NOW), 3) == 10.0


CAP = Cap(percent=50, from_votes=4)


def test_below_the_threshold_anyone_may_vote():
    assert unverified_vote_allowed(
        cap=CAP, verified=False, changing=False, votes=3, unverified_votes=3
    )


def test_past_the_cap_an_unverified_vote_is_refused():
    # 2 of 4 unverified: one more would make 3 of 5, over half.
    assert not unverified_vote_allowed(
        cap=CAP, verified=False, changing=False, votes=4, unverified_votes=2
    )


def test_within_the_cap_an_unverified_vote_is_taken():
    # 1 of 4: one more makes 2 of 5.
    assert unverified_vote_allowed(
        cap=CAP, verified=False, changing=False, votes=4, unverified_votes=1
    )


def test_a_verified_resident_may_always_vote():
    assert unverified_vote_allowed(
        cap=CAP, verified=True, changing=False, votes=100, unverified_votes=100
    )


def test_changing_a_vote_is_never_refused_by_the_cap():
    assert unverified_vote_allowed(
        cap=CAP, verified=False, changing=True, votes=10, unverified_votes=9
    )


def test_a_cap_of_100_is_off_and_0_refuses_every_unverified_vote():
    assert unverified_vote_allowed(
        cap=Cap(100, 0), verified=False, changing=False, votes=10, unverified_votes=10
    )
    assert not unverified_vote_allowed(
        cap=Cap(0, 0), verified=False, changing=False, votes=0, unverified_votes=0
    )
