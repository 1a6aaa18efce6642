"""Small-count suppression for published statistics. Pure: no Django.

No cell ever shows fewer than `MIN_CELL` people: such counts are suppressed, and when a row of
cells adds up to a total that is shown, the next smallest cell is suppressed too, so a hidden
count cannot be worked out by subtraction. Used by budgets' participation statistics and by
the usage statistics (samskab.stats).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

MIN_CELL = 5
UNKNOWN = ""


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


def suppress_one(count: int) -> int | None:
    """A single count of people on its own: None when it is 1 to MIN_CELL - 1."""
    return None if 0 < count < MIN_CELL else count
