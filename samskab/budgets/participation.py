"""Participation statistics of a citizens' budget, safe to publish.

Counts of ballots per heading, web against paper, by age band and by district (postal code)
where the census knows the voter. Small counts are suppressed by `samskab.core.suppression`
(no cell shows fewer than `MIN_CELL` people, nor one that subtraction would reveal). Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# The suppression rule is shared with the usage statistics (samskab.stats).
from samskab.core.suppression import MIN_CELL, UNKNOWN, Cell, suppress

__all__ = ["MIN_CELL", "UNKNOWN", "Cell", "band_order", "heading_participation", "suppress"]


# (lowest age, label key); the label is given by the caller (translated).
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0-17"),
    (18, "18-29"),
    (30, "30-44"),
    (45, "45-59"),
    (60, "60-74"),
    (75, "75+"),
)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(born: date | None, day: date) -> str:
    if born is None:
        return UNKNOWN
    age = age_on(born, day)
    band = AGE_BANDS[0][1]
    for lowest, label in AGE_BANDS:
        if age >= lowest:
            band = label
    return band


@dataclass(frozen=True)
class HeadingParticipation:
    total: int | None  # None: fewer than MIN_CELL ballots in all
    sources: list[Cell]
    ages: list[Cell]
    districts: list[Cell]

    @property
    def any_suppressed(self) -> bool:
        cells = [*self.sources, *self.ages, *self.districts]
        return self.total is None or any(c.count is None for c in cells)


def heading_participation(
    ballots: Iterable[tuple[str, date | None, str | None]], day: date
) -> HeadingParticipation:
    """From (source, birth date or None, postal code or None) per ballot."""
    sources: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    districts: Counter[str] = Counter()
    for source, born, postal_code in ballots:
        sources[source] += 1
        ages[age_band(born, day)] += 1
        districts[postal_code or UNKNOWN] += 1
    total = sum(sources.values())
    if total < MIN_CELL:
        return HeadingParticipation(None if total else 0, [], [], [])
    return HeadingParticipation(total, suppress(sources), suppress(ages), suppress(districts))


def band_order(cells: Sequence[Cell]) -> list[Cell]:
    """Age bands youngest first, unknown last."""
    order = {label: i for i, (_lowest, label) in enumerate(AGE_BANDS)}
    return sorted(cells, key=lambda c: order.get(c.key, len(order)))
