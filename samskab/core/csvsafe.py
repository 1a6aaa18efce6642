"""Neutralising spreadsheet formulas in exported cells (CSV injection): pure, no Django.

Every CSV a person may open in a spreadsheet writes its rows through `safe_row` (or
`neutralise` per cell): surveys, hearings, binding votes, statistics, presentations."""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell starting like a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(cells: Iterable[object]) -> list[object]:
    """One row with every text cell neutralised (lazy translations are text too); numbers stay
    numbers and None stays an empty cell, as csv.writer writes them."""
    return [
        cell if cell is None or isinstance(cell, int | float) else neutralise(str(cell))
        for cell in cells
    ]
