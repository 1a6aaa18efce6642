"""Counting a binding vote's questions. Pure: no Django.

Ballots come as a Counter of answers: one key per distinct ballot content (a tuple of answer
ids, in ranking order for a ranking question), the value how many ballots said exactly that.
Identical ballots are counted together, so a million ranking ballots over a handful of
answers is a few hundred distinct rankings to count (see `make bench-binding-vote`).

- plurality: every answer named on a ballot gets one vote (single choice, several choices
  with a maximum, yes/no); an empty ballot is blank.
- instant-runoff: each round counts every ballot for its highest-ranked answer still in the
  race; an answer with more than half of the ballots still counting wins, else the answer
  with the fewest is eliminated. Ties for last place are broken by fewer first preferences,
  then by the answer's position on the ballot (the last one goes): written in the rounds.
- Borda: on a ballot ranking k answers, the first gets k points, the next k-1 ... (a
  truncated ballot gives nothing to answers it does not rank); most points wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class Round:
    counts: dict[int, int]  # answer id -> votes (IRV) or points (Borda) in this round
    exhausted: int = 0  # ballots with no answer left in the race (IRV)
    eliminated: list[int] = field(default_factory=list)
    tie_broken: bool = False


@dataclass
class Outcome:
    counts: dict[int, int]  # answer id -> votes (first preferences for a ranking)
    blank: int
    ballots: int
    rounds: list[Round] = field(default_factory=list)
    winner: int | None = None


def plurality(ballots: Counter[tuple[int, ...]], answers: Sequence[int]) -> Outcome:
    counts = dict.fromkeys(answers, 0)
    blank = 0
    for content, n in ballots.items():
        if not content:
            blank += n
            continue
        for answer in set(content):
            if answer in counts:
                counts[answer] += n
    total = sum(ballots.values())
    best = max(counts.values(), default=0)
    leaders = [a for a in answers if counts[a] == best and best > 0]
    return Outcome(counts, blank, total, winner=leaders[0] if len(leaders) == 1 else None)


def _first_preferences(ballots: Counter[tuple[int, ...]], answers: Sequence[int]) -> dict:
    counts = dict.fromkeys(answers, 0)
    for content, n in ballots.items():
        if content and content[0] in counts:
            counts[content[0]] += n
    return counts


def instant_runoff(ballots: Counter[tuple[int, ...]], answers: Sequence[int]) -> Outcome:
    answers = list(answers)
    first = _first_preferences(ballots, answers)
    blank = sum(n for content, n in ballots.items() if not content)
    outcome = Outcome(first, blank, sum(ballots.values()))
    standing = list(answers)
    while standing:
        in_race = set(standing)
        counts = dict.fromkeys(standing, 0)
        exhausted = 0
        for content, n in ballots.items():
            if not content:
                continue
            for answer in content:
                if answer in in_race:
                    counts[answer] += n
                    break
            else:
                exhausted += n
        live = sum(counts.values())
        this_round = Round(dict(counts), exhausted)
        outcome.rounds.append(this_round)
        best = max(counts.values())
        if live == 0:
            return outcome  # every ballot blank: no winner
        if best * 2 > live or len(standing) == 1:
            outcome.winner = max(standing, key=lambda a: (counts[a], -answers.index(a)))
            return outcome
        fewest = min(counts.values())
        last = [a for a in standing if counts[a] == fewest]
        if len(last) > 1:
            this_round.tie_broken = True
            last.sort(key=lambda a: (first[a], -answers.index(a)))
        this_round.eliminated = [last[0]]
        standing.remove(last[0])
    return outcome


def borda(ballots: Counter[tuple[int, ...]], answers: Sequence[int]) -> Outcome:
    first = _first_preferences(ballots, answers)
    blank = sum(n for content, n in ballots.items() if not content)
    points = dict.fromkeys(answers, 0)
    for content, n in ballots.items():
        k = len(content)
        for place, answer in enumerate(content):
            if answer in points:
                points[answer] += (k - place) * n
    outcome = Outcome(first, blank, sum(ballots.values()), rounds=[Round(points)])
    best = max(points.values(), default=0)
    leaders = [a for a in answers if points[a] == best and best > 0]
    outcome.winner = leaders[0] if len(leaders) == 1 else None
    return outcome


def group(contents: Iterable[Sequence[int]]) -> Counter[tuple[int, ...]]:
    """Identical ballots together: the counting functions take this."""
    return Counter(tuple(content) for content in contents)
