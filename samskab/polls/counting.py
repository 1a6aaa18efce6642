"""Counting votes from raw (question, option) pairs: pure, no Django."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OptionResult:
    option_id: int
    text: str
    votes: int
    percent: float


def recount(votes: Iterable[tuple[int, int]]) -> dict[int, int]:
    """{option_id: votes} from (question_id, option_id) pairs."""
    return dict(Counter(option_id for _question_id, option_id in votes))


def percentages(counts: Mapping[int, int], order: Iterable[tuple[int, str]]) -> list[OptionResult]:
    """Results for one question's options in their order, percentages summing to about 100."""
    order = list(order)
    total = sum(counts.get(option_id, 0) for option_id, _text in order)
    return [
        OptionResult(
            option_id,
            text,
            counts.get(option_id, 0),
            round(100 * counts.get(option_id, 0) / total, 1) if total else 0.0,
        )
        for option_id, text in order
    ]
