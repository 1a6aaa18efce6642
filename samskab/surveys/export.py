"""CSV and XLSX of a survey's answers: one row per respondent, one column per question
(per option for multiple choice, per row for a matrix, per item for a ranking).

CSV opens in Danish Excel: UTF-8 with a BOM, `;` separator by default. Cells that would
start a formula are neutralised. Both stream: rows come in chunks from a lazy cursor
(SQLite) or COPY (PostgreSQL), see `selectors.response_rows`, so a survey of 100,000
respondents needs little memory.

Speed (bench/survey_export.py): the questions are compiled once into one Python function
that turns a respondent's decoded answers into a row (no call per cell; labels neutralised
once, in prepared dicts), answers are decoded with orjson, and csv.writer writes a few
hundred rows at a time. `reference_rows` in the tests is the straightforward version the
output must equal byte for byte.
"""

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.core.csvsafe import FORMULA_STARTS, neutralise
from samskab.surveys.schema import Kind, QuestionSpec

BOM = "\ufeff"
ROWS_PER_CHUNK = 500
# How a workbook shows the submitted hour (Excel's own codes; any locale reads them).
HOUR_FORMAT = "yyyy-mm-dd hh:mm"


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


def csv_quoted(text: str, delimiter: str) -> str:
    """A field as csv.writer writes it with QUOTE_MINIMAL: quoted when it holds the
    delimiter, a quote or a line break, with its quotes doubled."""
    if delimiter in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


class _Ambiguous(Exception):
    """orjson reads an integer beyond 64 bits as a float; json keeps it whole."""


LARGEST_INTEGER = 2**64


def _scalar_cell(
    *, decimal_comma: bool, delimiter: str | None, from_orjson: bool
) -> Callable[[Any], Any]:
    """The cell of a text, number or scale answer: as a value (XLSX) or as CSV text."""

    def value_of(value):
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise(value)
        if from_orjson and isinstance(value, float) and abs(value) >= LARGEST_INTEGER // 2:
            raise _Ambiguous
        if decimal_comma and isinstance(value, float):
            # Danish Excel reads "2,5" as a number where ";" separates; "2.5" is text.
            return str(value).replace(".", ",")
        return value

    if delimiter is None:
        return value_of

    def csv_cell(value) -> str:
        return csv_quoted(str(value_of(value)), delimiter)

    return csv_cell


def extractor(
    specs: list[QuestionSpec],
    *,
    decimal_comma: bool,
    delimiter: str | None = None,
    from_orjson: bool = False,
) -> Callable[[int, str, dict], Any]:
    """Compile the questions into `extract(number, hour, answers)`: a row of values, or
    with a delimiter, the row as one line of CSV text (without its line end).

    One generated function per export, so a row costs one call instead of one per
    question or cell, and with a delimiter no csv.writer either: labels are quoted once
    here, and only free text is quoted per row (`csv_quoted`, csv.writer's own rule; a
    test compares the output with csv.writer's). The generated source holds only
    integers (question and choice ids, which `int()` guarantees) and names; every label
    and text stays in `namespace`.

    `from_orjson`: a number that may have been an integer beyond 64 bits raises
    `_Ambiguous`, so the caller decodes that row again with json.
    """
    as_csv = delimiter is not None

    def text(cell: str) -> str:
        return csv_quoted(cell, delimiter) if delimiter is not None else cell

    namespace: dict[str, Any] = {
        "S": _scalar_cell(
            decimal_comma=decimal_comma, delimiter=delimiter, from_orjson=from_orjson
        ),
        "INT": int,
        "STR": str,
        "FLOAT": float,
        "DICT": dict,
        "ZIP": zip,
        "LEN": len,
        "PL": _PLACES,
        # A float at least this large may be an integer beyond 64 bits that orjson rounded:
        # S raises _Ambiguous for it, so the row is decoded again exactly.
        "BIG": float(LARGEST_INTEGER // 2),
        "E": {},
        "R": _places,
        "F": frozenset(FORMULA_STARTS),
    }
    lines = ["def extract(number, hour, a):", "    g = a.get"]
    cells = ["STR(number)" if as_csv else "number", "hour"]
    yes, no = ('"1"', '"0"') if as_csv else ("1", "0")
    for n, q in enumerate(specs):
        key = repr(str(int(q.id)))
        ids = [int(pk) for pk, _label in q.choices]
        labels = f"L{n}"
        namespace[labels] = {pk: text(neutralise(label)) for pk, label in q.choices}
        if q.kind == Kind.SINGLE:
            cells.append(f'{labels}.get(g({key}), "")')
        elif q.kind == Kind.MULTIPLE:
            lines.append(f"    m{n} = g({key}) or ()")
            cells += [f"{yes} if {pk} in m{n} else {no}" for pk in ids]
        elif q.kind == Kind.MATRIX:
            lines.append(f"    x{n} = g({key}) or E")
            cells += [f'{labels}.get(x{n}.get({str(int(pk))!r}), "")' for pk, _l in q.rows]
        elif q.kind == Kind.RANKING:
            lines.append(f"    r{n} = g({key})")
            if as_csv:  # _places inline: no Python call for the usual short ranking
                lines.append(
                    f"    p{n} = (DICT(ZIP(r{n}, PL)) if LEN(r{n}) <= {len(_PLACES)}"
                    f" else R(r{n}, True)) if r{n} else E"
                )
            else:
                lines.append(f"    p{n} = R(r{n}, False) if r{n} else E")
            cells += [f'p{n}.get({pk}, "")' for pk in ids]
        elif as_csv:
            # Inline, in order of how often they come: ints (scales, most numbers) straight
            # to text, no answer as an empty cell, text that needs neither neutralising nor
            # quoting as it is, and a decimal number as text (with a decimal comma where ";"
            # separates; its text never holds the delimiter, a quote or a line end). The
            # rest (text to neutralise or quote, a float that may have been a huge integer,
            # booleans, ...) goes through S, as everything did before.
            v = f"v{n}"
            decimal = f"STR({v}).replace('.', ',')" if decimal_comma else f"STR({v})"
            lines.append(f"    {v} = g({key})")
            cells.append(
                f"STR({v}) if {v}.__class__ is INT else '' if {v} is None else {v} if ("
                f"{v}.__class__ is STR and {v}[:1] not in F and D not in {v}"
                f" and '\"' not in {v} and '\\n' not in {v} and '\\r' not in {v})"
                f" else {decimal} if ({v}.__class__ is FLOAT and -BIG < {v} < BIG) else S({v})"
            )
        else:
            lines.append(f"    v{n} = g({key})")
            cells.append(f"v{n} if v{n}.__class__ is INT else S(v{n})")
    row = "[" + ", ".join(cells) + "]"
    lines.append(f"    return {'D.join(' + row + ')' if as_csv else row}")
    namespace["D"] = delimiter
    exec("\n".join(lines), namespace)  # noqa: S102 -- source built above from ints only
    return namespace["extract"]


_PLACES = tuple(str(place) for place in range(1, 101))


def _places(ranking, as_text: bool) -> dict:
    """Choice id -> place (1 = first) in a ranking; a repeated id gets its last place."""
    if as_text and len(ranking) <= len(_PLACES):
        return dict(zip(ranking, _PLACES, strict=False))
    places = {pk: place for place, pk in enumerate(ranking, start=1)}
    return {pk: str(place) for pk, place in places.items()} if as_text else places


class _Hours:
    """Submitted times are whole hours, so each distinct value is formatted once: as text
    for CSV, or (`as_datetime`) as the local time without a zone, which a workbook stores as
    a real date and time (Excel has no time zones)."""

    def __init__(self, delimiter: str | None = None, *, as_datetime: bool = False):
        self.seen: dict[Any, Any] = {}
        self.delimiter = delimiter
        self.as_datetime = as_datetime

    def __call__(self, value) -> Any:
        text = self.seen.get(value)
        if text is None:
            moment = value
            if isinstance(moment, str):  # a raw SQLite row
                moment = datetime.fromisoformat(moment)
            if moment.tzinfo is None:  # SQLite stores UTC without the zone
                moment = moment.replace(tzinfo=UTC)
            local = timezone.localtime(moment)
            if self.as_datetime:
                text = local.replace(minute=0, second=0, microsecond=0, tzinfo=None)
            else:
                text = local.strftime("%Y-%m-%d %H:00")
            if self.delimiter is not None:
                text = csv_quoted(text, self.delimiter)
            if len(self.seen) > 100_000:
                self.seen.clear()
            self.seen[value] = text
        return text


def _decoded(answers) -> dict:
    """Answers as stored: JSON text from a raw cursor, or already a dict. The exact
    decoder; the fast path uses orjson and comes here for what orjson reads otherwise."""
    if isinstance(answers, str | bytes):
        return json.loads(answers)
    return answers or {}


def _row_chunks(
    specs: list[QuestionSpec],
    responses: Iterable,
    *,
    decimal_comma: bool,
    delimiter: str | None = None,
    hours_as_datetime: bool = False,
) -> Iterator[list[Any]]:
    """Rows (lists of values, or CSV lines with a delimiter), ROWS_PER_CHUNK at a time,
    numbered from 1."""
    fast = extractor(specs, decimal_comma=decimal_comma, delimiter=delimiter, from_orjson=True)
    exact = extractor(specs, decimal_comma=decimal_comma, delimiter=delimiter)
    hour = _Hours(delimiter, as_datetime=hours_as_datetime)
    seen = hour.seen
    loads = orjson.loads
    responses = iter(responses)
    number = 1
    while chunk := list(islice(responses, ROWS_PER_CHUNK)):
        try:
            rows = [
                fast(n, seen.get(at) or hour(at), loads(answers))
                for n, (at, answers) in enumerate(chunk, number)
            ]
        except (orjson.JSONDecodeError, TypeError, _Ambiguous):  # dicts, rare JSON
            rows = [
                exact(n, hour(at), _decoded(answers))
                for n, (at, answers) in enumerate(chunk, number)
            ]
        number += len(chunk)
        yield rows


def rows(
    specs: list[QuestionSpec],
    responses: Iterable,
    *,
    decimal_comma: bool = False,
    hours_as_datetime: bool = False,
) -> Iterator[list[Any]]:
    """The header, then one list of cells per (submitted_at, answers) response."""
    yield header(specs)
    chunks = _row_chunks(
        specs, responses, decimal_comma=decimal_comma, hours_as_datetime=hours_as_datetime
    )
    for chunk in chunks:
        yield from chunk


def csv_lines(specs, responses, *, delimiter: str = ";") -> Iterator[bytes]:
    """UTF-8 bytes with a BOM: the header, then a few hundred rows per chunk."""
    head = io.StringIO()
    csv.writer(head, delimiter=delimiter, lineterminator="\r\n").writerow(header(specs))
    yield (BOM + head.getvalue()).encode()
    chunks = _row_chunks(specs, responses, decimal_comma=delimiter == ";", delimiter=delimiter)
    for chunk in chunks:
        chunk.append("")  # so the last row ends with a line end too
        yield "\r\n".join(chunk).encode()


def xlsx_write(specs, responses, target) -> None:
    """Write-only workbook: openpyxl streams the rows to a temporary file as they come."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Answers")[:31])
    lines = rows(specs, responses, hours_as_datetime=True)
    sheet.append(next(lines))
    for cells in lines:
        # The submitted hour as an Excel date and time, so it sorts and filters as one
        # (review finding 21: it was text).
        submitted = WriteOnlyCell(sheet, value=cells[1])
        submitted.number_format = HOUR_FORMAT
        cells[1] = submitted
        sheet.append(cells)
    workbook.save(target)


def xlsx_file(specs, responses):
    """The workbook in a temporary file (deleted when closed), for a FileResponse, so
    the finished file is not held in memory either."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes it
    xlsx_write(specs, responses, target)
    target.seek(0)
    return target
