"""Per-question statistics from answers: pure, no Django.

question_stats(spec, answers) -> dict with "answered" and, by kind, "counts" (choice id ->
count, percent of those who answered), "mean"/"median" (numbers, scales),
"average_position" (ranking), "matrix" (row -> column -> count).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from statistics import mean, median
from typing import Any

from samskab.surveys.schema import SCALES, Kind, QuestionSpec


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def question_stats(q: QuestionSpec, answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    values = [a[str(q.id)] for a in answers if str(q.id) in a]
    answered = len(values)
    stats: dict[str, Any] = {"question": q.id, "kind": str(q.kind), "answered": answered}
    if q.kind in (Kind.SINGLE, Kind.MULTIPLE):
        counter: Counter[int] = Counter()
        for value in values:
            counter.update(value if isinstance(value, list) else [value])
        stats["counts"] = [
            {
                "choice": pk,
                "label": label,
                "count": counter[pk],
                "percent": _percent(counter[pk], answered),
            }
            for pk, label in q.choices
        ]
    elif q.kind == Kind.NUMBER or q.kind in SCALES:
        numbers = [v for v in values if isinstance(v, int | float)]
        stats["mean"] = round(mean(numbers), 2) if numbers else None
        stats["median"] = median(numbers) if numbers else None
        if q.kind in SCALES:
            low, high = SCALES[q.kind]
            points: Counter[float] = Counter(numbers)
            stats["counts"] = [
                {
                    "choice": point,
                    "label": str(point),
                    "count": points[point],
                    "percent": _percent(points[point], answered),
                }
                for point in range(low, high + 1)
            ]
    elif q.kind == Kind.RANKING:
        positions: dict[int, list[int]] = {pk: [] for pk, _label in q.choices}
        for ranking in values:
            for place, pk in enumerate(ranking, start=1):
                positions.setdefault(pk, []).append(place)
        stats["average_position"] = sorted(
            (
                {
                    "choice": pk,
                    "label": label,
                    "average": round(mean(positions[pk]), 2) if positions[pk] else None,
                }
                for pk, label in q.choices
            ),
            key=lambda row: (row["average"] is None, row["average"] or 0),
        )
    elif q.kind == Kind.MATRIX:
        stats["matrix"] = []
        for row_pk, row_label in q.rows:
            counter = Counter(v.get(str(row_pk)) for v in values if str(row_pk) in v)
            row_total = sum(counter.values())
            stats["matrix"].append(
                {
                    "row": row_pk,
                    "label": row_label,
                    "counts": [
                        {
                            "choice": pk,
                            "label": label,
                            "count": counter[pk],
                            "percent": _percent(counter[pk], row_total),
                        }
                        for pk, label in q.choices
                    ],
                }
            )
    elif q.kind == Kind.TEXT:
        stats["texts"] = values[-200:]  # the admin links to the full list of answers
    return stats


def answer_text(q: QuestionSpec, value: Any) -> Any:
    """One respondent's answer to one question as a person reads it: option labels, a
    ranking as "1. A, 2. B", a matrix as "row: column; ...". Numbers stay numbers (the
    page localises them); no answer is None."""
    if value is None:
        return None
    labels = dict(q.choices)
    if q.kind == Kind.SINGLE:
        return labels.get(value, value)
    if q.kind == Kind.MULTIPLE:
        return ", ".join(str(labels.get(pk, pk)) for pk in value)
    if q.kind == Kind.RANKING:
        return ", ".join(
            f"{place}. {labels.get(pk, pk)}" for place, pk in enumerate(value, start=1)
        )
    if q.kind == Kind.MATRIX:
        return "; ".join(
            f"{row}: {labels.get(value[str(pk)], value[str(pk)])}"
            for pk, row in q.rows
            if str(pk) in value
        )
    return value


def survey_stats(questions: Iterable[QuestionSpec], answers: list[Mapping[str, Any]]):
    return [question_stats(q, answers) for q in questions]
