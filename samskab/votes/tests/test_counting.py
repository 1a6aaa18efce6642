"""Counting: plurality, instant-runoff with its rounds and tie-break, Borda."""

from collections import Counter

from samskab.votes import counting


def test_plurality_counts_every_named_answer_and_blanks():
    ballots = Counter({(1,): 3, (2,): 2, (): 4, (1, 2): 1})
    outcome = counting.plurality(ballots, [1, 2, 3])
    assert outcome.counts == {1: 4, 2: 3, 3: 0}
    assert outcome.blank == 4
    assert outcome.ballots == 10
    assert outcome.winner == 1


def test_plurality_tie_has_no_winner():
    assert counting.plurality(Counter({(1,): 2, (2,): 2}), [1, 2]).winner is None


def test_instant_runoff_transfers_the_eliminated_answers_ballots():
    # A 4 first, B 3, C 2 (C's voters prefer B): C goes, B wins 5 to 4.
    ballots = Counter({(1,): 4, (2, 1): 3, (3, 2): 2})
    outcome = counting.instant_runoff(ballots, [1, 2, 3])
    assert [r.counts for r in outcome.rounds] == [{1: 4, 2: 3, 3: 2}, {1: 4, 2: 5}]
    assert outcome.rounds[0].eliminated == [3]
    assert outcome.winner == 2
    assert outcome.counts == {1: 4, 2: 3, 3: 2}  # first preferences


def test_instant_runoff_exhausted_ballots_and_tie_break():
    # B and C tie on 1 in the first round; they also tie on first preferences, so the later
    # on the ballot (C) goes; C's ballot ranks nothing else and is exhausted.
    ballots = Counter({(1,): 2, (2, 1): 1, (3,): 1})
    outcome = counting.instant_runoff(ballots, [1, 2, 3])
    assert outcome.rounds[0].tie_broken
    assert outcome.rounds[0].eliminated == [3]
    assert outcome.rounds[1].exhausted == 1
    assert outcome.winner == 1


def test_instant_runoff_all_blank_has_no_winner():
    assert counting.instant_runoff(Counter({(): 5}), [1, 2]).winner is None


def test_borda_points():
    ballots = Counter({(1, 2, 3): 2, (3, 2, 1): 1, (2,): 1})
    outcome = counting.borda(ballots, [1, 2, 3])
    # 1: 3+3+1 = 7; 2: 2+2+2+1 = 7... 2 gets 2*2 + 2 + 1 = 7; 3: 1*2 + 3 = 5
    assert outcome.rounds[0].counts == {1: 7, 2: 7, 3: 5}
    assert outcome.winner is None
    ballots[(2,)] += 1
    assert counting.borda(ballots, [1, 2, 3]).winner == 2
