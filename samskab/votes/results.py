"""The count of a closed vote, as published: per question and answer, web and booth apart
and together, blank and invalid, the rounds of a ranking, and the turnout by channel, age
band and area with small counts suppressed (core.smallcounts, the rule budgets use too).

`count` returns plain JSON, stored on the vote when it is published and served as it is by
the page, the CSV and the API.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from samskab.core.smallcounts import MIN_CELL, band_order, suppress
from samskab.votes import counting
from samskab.votes.models import Ballot, BindingVote, Participation, Question

CHUNK = 20_000


def web_ballots(vote: BindingVote) -> dict[str, Counter[tuple[int, ...]]]:
    """Each question's web ballots, identical ones together: the database groups identical
    ballots (GROUP BY content), so Python sees each distinct ballot once with its count."""
    from django.db.models import Count

    grouped: dict[str, Counter[tuple[int, ...]]] = {}
    rows = (
        Ballot.objects.filter(vote=vote)
        .order_by()
        .values_list("content")
        .annotate(n=Count("id"))
        .values_list("content", "n")
    )
    for content, n in rows.iterator(chunk_size=CHUNK):
        for question, picked in content.items():
            bucket = grouped.get(question)
            if bucket is None:
                bucket = grouped[question] = Counter()
            bucket[tuple(picked)] += n
    return grouped


def booth_totals(vote: BindingVote) -> dict[str, dict[str, Any]]:
    """The recount of every reconciled (or accepted) booth day, added up per question."""
    from samskab.votes.selectors import booth_days, reconciliation_of

    summed: dict[str, dict[str, Any]] = {}
    for booth, day, _n in booth_days(vote):
        reconciliation = reconciliation_of(booth, day)
        if reconciliation is None or not (reconciliation.reconciles or reconciliation.accepted):
            continue
        for question, given in reconciliation.recount.totals.items():
            into = summed.setdefault(
                question, {"answers": Counter(), "blank": 0, "invalid": 0, "rankings": Counter()}
            )
            into["answers"].update({int(k): v for k, v in given["answers"].items()})
            into["blank"] += given["blank"]
            into["invalid"] += given["invalid"]
            for n, order in given["rankings"]:
                into["rankings"][tuple(order)] += n
    return summed


def _outcome(question: Question, ballots: Counter[tuple[int, ...]], answers: list[int]):
    if question.kind != Question.Kind.RANKING:
        return counting.plurality(ballots, answers)
    if question.method == Question.Method.BORDA:
        return counting.borda(ballots, answers)
    return counting.instant_runoff(ballots, answers)


def _rounds(outcome: counting.Outcome) -> list[dict[str, Any]]:
    return [
        {
            "counts": {str(k): v for k, v in r.counts.items()},
            "exhausted": r.exhausted,
            "eliminated": r.eliminated,
            "tie_broken": r.tie_broken,
        }
        for r in outcome.rounds
    ]


def question_result(
    question: Question, web: Counter[tuple[int, ...]], booth: dict[str, Any] | None
) -> dict[str, Any]:
    answers = [a.pk for a in question.answers.all()]
    booth = booth or {"answers": Counter(), "blank": 0, "invalid": 0, "rankings": Counter()}
    web_outcome = _outcome(question, web, answers)
    if question.kind == Question.Kind.RANKING:
        booth_ballots = Counter(booth["rankings"])
        booth_ballots[()] += booth["blank"]
        together = _outcome(question, web + booth_ballots, answers)
        booth_counts = counting._first_preferences(booth_ballots, answers)
        total_counts = together.counts
        winner = together.winner
        rounds = _rounds(together)
    else:
        booth_counts = {a: int(booth["answers"].get(a, 0)) for a in answers}
        total_counts = {a: web_outcome.counts[a] + booth_counts[a] for a in answers}
        best = max(total_counts.values(), default=0)
        leaders = [a for a in answers if total_counts[a] == best and best > 0]
        winner = leaders[0] if len(leaders) == 1 else None
        rounds = []
    return {
        "id": question.pk,
        "text": question.text,
        "kind": question.kind,
        "method": question.method if question.kind == Question.Kind.RANKING else "",
        "answers": [
            {
                "id": a.pk,
                "text": a.text,
                "web": web_outcome.counts[a.pk],
                "booth": booth_counts[a.pk],
                "total": total_counts[a.pk],
            }
            for a in question.answers.all()
        ],
        "blank": {
            "web": web_outcome.blank,
            "booth": booth["blank"],
            "total": web_outcome.blank + booth["blank"],
        },
        "invalid": {"web": 0, "booth": booth["invalid"], "total": booth["invalid"]},
        "ballots": {"web": web_outcome.ballots, "booth": 0, "total": web_outcome.ballots},
        "winner": winner,
        "rounds": rounds,
    }


def turnout(vote: BindingVote) -> dict[str, Any]:
    rows = Participation.objects.filter(vote=vote).values_list("channel", "age_band", "postal_code")
    channels: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    for channel, band, code in rows.iterator(chunk_size=CHUNK):
        channels[channel] += 1
        ages[band] += 1
        areas[code] += 1
    total = sum(channels.values())
    if total < MIN_CELL:
        return {"total": None if total else 0, "channels": [], "ages": [], "areas": []}

    def cells(found):
        return [[c.key, c.count] for c in found]

    return {
        "total": total,
        "channels": cells(suppress(channels)),
        "ages": cells(band_order(suppress(ages))),
        "areas": cells(suppress(areas)),
    }


def count(vote: BindingVote) -> dict[str, Any]:
    web = web_ballots(vote)
    booth = booth_totals(vote)
    box = _booth_ballots(vote)  # every paper ballot answers every question (or leaves it blank)
    questions = []
    for question in vote.questions.prefetch_related("answers"):
        key = str(question.pk)
        result = question_result(question, web.get(key, Counter()), booth.get(key))
        result["ballots"]["booth"] = box
        result["ballots"]["total"] = result["ballots"]["web"] + box
        questions.append(result)
    return {"questions": questions, "turnout": turnout(vote)}


def _booth_ballots(vote: BindingVote) -> int:
    from samskab.votes.selectors import booth_days, reconciliation_of

    total = 0
    for booth, day, _n in booth_days(vote):
        reconciliation = reconciliation_of(booth, day)
        if reconciliation is not None and (reconciliation.reconciles or reconciliation.accepted):
            total += reconciliation.recount.ballots_in_box
    return total
