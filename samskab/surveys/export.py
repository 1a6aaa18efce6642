"""CSV and XLSX of a survey's answers: one row per respondent, one column per question
(per option for multiple choice, per row for a matrix, per item for a ranking).

CSV opens in Danish Excel: UTF-8 with a BOM, `;` separator by default. Cells that would
start a formula are neutralised. Both stream: rows come from an iterator over the
database, so a survey of 100,000 respondents needs little memory.

The questions are compiled once into a plan of columns (labels neutralised once, choice
labels looked up in prepared dicts), and the CSV is written a few hundred rows at a time,
so a row costs a JSON decode and one pass over its cells (bench/survey_export.py).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.surveys.csvsafe import neutralise
from samskab.surveys.schema import Kind, QuestionSpec

BOM = "\ufeff"
ROWS_PER_CHUNK = 500


def header(specs: list[QuestionSpec]) -> list[str]:
    columns = [_("Respondent"), _("Submitted (hour)")]
    for q in specs:
        if q.kind in (Kind.MULTIPLE, Kind.RANKING):
            columns += [f"{q.label}: {label}" for _pk, label in q.choices]
        elif q.kind == Kind.MATRIX:
            columns += [f"{q.label}: {label}" for _pk, label in q.rows]
        else:
            columns.append(q.label)
    return [neutralise(c) for c in columns]


def _plan(specs: list[QuestionSpec], *, decimal_comma: bool) -> list[tuple[str, Any]]:
    """(answer key, writer) per question, in column order. A writer appends the cells of
    one answer (or of no answer: None) to a row; everything it needs is prepared here."""
    plan: list[tuple[str, Any]] = []
    for q in specs:
        labels = {pk: neutralise(label) for pk, label in q.choices}
        if q.kind == Kind.SINGLE:

            def write(value, out, labels=labels):
                out.append(labels.get(value, "") if value is not None else "")

        elif q.kind == Kind.MULTIPLE:

            def write(value, out, ids=tuple(labels)):
                chosen = value or ()
                out.extend([1 if pk in chosen else 0 for pk in ids])

        elif q.kind == Kind.MATRIX:

            def write(value, out, rows=tuple(str(pk) for pk, _l in q.rows), labels=labels):
                value = value or {}
                out.extend([labels.get(value.get(row), "") for row in rows])

        elif q.kind == Kind.RANKING:
            blank = ("",) * len(labels)

            def write(value, out, ids=tuple(labels), blank=blank):
                if not value:
                    out.extend(blank)
                    return
                places = {pk: place for place, pk in enumerate(value, start=1)}
                out.extend([places.get(pk, "") for pk in ids])

        else:

            def write(value, out, comma=decimal_comma):
                if value is None:
                    out.append("")
                elif isinstance(value, str):
                    out.append(neutralise(value))
                elif comma and isinstance(value, float):
                    # Danish Excel reads "2,5" as a number where ";" separates; "2.5" is text.
                    out.append(str(value).replace(".", ","))
                else:
                    out.append(value)

        plan.append((str(q.id), write))
    return plan


def _cells(plan: list[tuple[str, Any]], answers: dict, out: list) -> None:
    """Append one respondent's cells to `out`."""
    get = answers.get
    for key, write in plan:
        write(get(key), out)


class _Hours:
    """Submitted times are whole hours, so each distinct value is formatted once."""

    def __init__(self):
        self.seen: dict[Any, str] = {}

    def __call__(self, value) -> str:
        text = self.seen.get(value)
        if text is None:
            moment = value
            if isinstance(moment, str):  # a raw SQLite row
                moment = datetime.fromisoformat(moment)
            if moment.tzinfo is None:  # SQLite stores UTC without the zone
                moment = moment.replace(tzinfo=UTC)
            text = timezone.localtime(moment).strftime("%Y-%m-%d %H:00")
            if len(self.seen) > 100_000:
                self.seen.clear()
            self.seen[value] = text
        return text


def _decoded(answers) -> dict:
    if isinstance(answers, str | bytes):
        return json.loads(answers)
    return answers or {}


def rows(
    specs: list[QuestionSpec], responses: Iterable, *, decimal_comma: bool = False
) -> Iterator[list[Any]]:
    """The header, then one list of cells per (submitted_at, answers) response."""
    yield header(specs)
    plan = _plan(specs, decimal_comma=decimal_comma)
    hour = _Hours()
    for number, (submitted_at, answers) in enumerate(responses, start=1):
        cells: list[Any] = [number, hour(submitted_at)]
        _cells(plan, _decoded(answers), cells)
        yield cells


def row(specs: list[QuestionSpec], number: int, submitted_at, answers: dict) -> list[Any]:
    """One respondent's cells (for callers that want a single row)."""
    cells: list[Any] = [number, _Hours()(submitted_at)]
    _cells(_plan(specs, decimal_comma=False), answers, cells)
    return cells


def csv_lines(specs, responses, *, delimiter: str = ";") -> Iterator[bytes]:
    """UTF-8 bytes with a BOM, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write(BOM)
    batch: list[list[Any]] = []
    for cells in rows(specs, responses, decimal_comma=delimiter == ";"):
        batch.append(cells)
        if len(batch) >= ROWS_PER_CHUNK:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue().encode()


def xlsx_write(specs, responses, target) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Answers")[:31])
    for cells in rows(specs, responses):
        sheet.append(cells)
    workbook.save(target)
