"""Participation statistics of a citizens' budget, safe to publish.

Counts of ballots per heading, web against paper, by age band and by district (postal code)
where the census knows the voter, small counts suppressed by the shared rule in
`samskab.core.smallcounts`. Pure: no Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# The rule lives in core, shared with binding votes; these names stay importable from here.
from samskab.core.smallcounts import (  # noqa: F401 (re-exported)
    AGE_BANDS,
    MIN_CELL,
    UNKNOWN,
    Cell,
    age_band,
    age_on,
    band_order,
    suppress,
)


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


def turnout_percent(count: int | None, census: int) -> float | None:
    """`count` as a percentage of the census's residents, or None where it must not be
    shown: no census, or a count that is suppressed (fewer than MIN_CELL people)."""
    if not census or count is None or count < MIN_CELL:
        return None
    return 100 * count / census
