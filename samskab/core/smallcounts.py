"""Counts of people that are safe to publish: small counts suppressed. Pure: no Django.

Shared by every capability that publishes who took part (budgets' participation, binding
votes' turnout). No cell ever shows fewer than `MIN_CELL` people: such counts are
suppressed, and when a row of cells adds up to a total that is shown, the next smallest cell
is suppressed too, so a hidden count cannot be worked out by subtraction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

MIN_CELL = 5
UNKNOWN = ""

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
class Cell:
    key: str  # the band, district or source; "" is "not known"
    count: int | None  # None: suppressed (fewer than MIN_CELL, or would reveal one)


def suppress(counts: Counter[str], *, total_shown: bool = True) -> list[Cell]:
    """Cells of a breakdown in key order (unknown last), small counts suppressed."""
    keys = sorted(counts, key=lambda k: (k == UNKNOWN, k))
    hidden = {k for k in keys if 0 < counts[k] < MIN_CELL}
    if total_shown and len(hidden) == 1:
        # One hidden cell and a known total would give it away: hide the next smallest too.
        others = sorted((counts[k], k) for k in keys if k not in hidden and counts[k] > 0)
        if others:
            hidden.add(others[0][1])
    return [Cell(k, None if k in hidden else counts[k]) for k in keys]


def band_order(cells: Sequence[Cell]) -> list[Cell]:
    """Age bands youngest first, unknown last."""
    order = {label: i for i, (_lowest, label) in enumerate(AGE_BANDS)}
    return sorted(cells, key=lambda c: order.get(c.key, len(order)))


def suppress_one(count: int) -> int | None:
    """A single count of people on its own: None when it is 1 to MIN_CELL - 1."""
    return None if 0 < count < MIN_CELL else count
