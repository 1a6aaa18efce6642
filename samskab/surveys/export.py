"""CSV and XLSX of a survey's answers: one row per respondent, one column per question
(per option for multiple choice, per row for a matrix, per item for a ranking).

CSV opens in Danish Excel: UTF-8 with a BOM, `;` separator by default. Cells that would
start a formula are neutralised. Both stream: rows are produced one at a time from
.iterator(), so a survey of 100,000 respondents needs little memory.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.surveys.csvsafe import neutralise
from samskab.surveys.schema import Kind, QuestionSpec

BOM = "\ufeff"


def header(specs: list[QuestionSpec]) -> list[str]:
    columns = [_("Respondent"), _("Submitted (hour)")]
    for q in specs:
        if q.kind == Kind.MULTIPLE:
            columns += [f"{q.label}: {label}" for _pk, label in q.choices]
        elif q.kind == Kind.MATRIX:
            columns += [f"{q.label}: {label}" for _pk, label in q.rows]
        elif q.kind == Kind.RANKING:
            columns += [f"{q.label}: {label}" for _pk, label in q.choices]
        else:
            columns.append(q.label)
    return [neutralise(c) for c in columns]


def row(specs: list[QuestionSpec], number: int, submitted_at, answers: dict) -> list[Any]:
    local = timezone.localtime(submitted_at)
    cells: list[Any] = [number, local.strftime("%Y-%m-%d %H:00")]
    for q in specs:
        value = answers.get(str(q.id))
        labels = dict(q.choices)
        if q.kind == Kind.MULTIPLE:
            chosen = set(value or [])
            cells += [1 if pk in chosen else 0 for pk, _label in q.choices]
        elif q.kind == Kind.MATRIX:
            value = value or {}
            cells += [labels.get(value.get(str(pk)), "") for pk, _label in q.rows]
        elif q.kind == Kind.RANKING:
            places = {pk: place for place, pk in enumerate(value or [], start=1)}
            cells += [places.get(pk, "") for pk, _label in q.choices]
        elif q.kind == Kind.SINGLE:
            cells.append(labels.get(value, ""))
        else:
            cells.append("" if value is None else value)
    return [neutralise(c) for c in cells]


def rows(specs: list[QuestionSpec], responses: Iterable) -> Iterator[list[Any]]:
    yield header(specs)
    for number, (submitted_at, answers) in enumerate(responses, start=1):
        yield row(specs, number, submitted_at, answers)


class _Line:
    """csv.writer writes into this and we hand the text on at once."""

    def write(self, text: str) -> str:
        return text


def csv_lines(specs, responses, *, delimiter: str = ";") -> Iterator[str]:
    writer = csv.writer(_Line(), delimiter=delimiter, lineterminator="\r\n")
    first = True
    for cells in rows(specs, responses):
        line = writer.writerow([_number_text(c, delimiter) for c in cells])
        yield (BOM + line) if first else line
        first = False


def _number_text(value: Any, delimiter: str) -> Any:
    # Danish Excel reads "2,5" as a number where ";" separates; "2.5" would be text.
    if isinstance(value, float) and delimiter == ";":
        return str(value).replace(".", ",")
    return value


def xlsx_write(specs, responses, target) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Answers")[:31])
    for cells in rows(specs, responses):
        sheet.append(cells)
    workbook.save(target)
