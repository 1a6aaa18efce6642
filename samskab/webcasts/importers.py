"""Agenda import (W2): read an agenda file, plan what it changes, then apply the plan.

Three formats are read (docs/agenda-import.md has examples):
- Open Civic Data: an event object with `agenda: [{order, description, subjects, notes}]`;
- OParl: a meeting object with `agendaItem: [{id, number, order, name, public}]`;
- CSV with a header row `number;title;description;public` (semicolon or comma).

Reading needs no database. Planning compares the rows with the meeting's items: a row
matches an item by its id in the agenda system (external_id), else by number; matched rows
update the item, the others create one; items not in the file are kept. Rows that cannot be
imported are rejected with their row number and the reason, and the rest can still go in.
Every value is stored as plain text (a cell such as `=HYPERLINK(...)` is just text here and
is escaped wherever it is shown).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from samskab.core.text import clean_text

if TYPE_CHECKING:
    from samskab.webcasts.models import AgendaItem

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
MAX_NUMBER = 20  # AgendaItem.number
MAX_TITLE = 300  # AgendaItem.title
MAX_EXTERNAL_ID = 200
MAX_DESCRIPTION = 20_000
TRUE_WORDS = {"1", "true", "yes", "y", "ja", "j", "x", "public", "offentlig", "åben", "aaben"}
FALSE_WORDS = {"0", "false", "no", "n", "nej", "closed", "lukket", "lukket punkt"}


class AgendaFileError(ValueError):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass(frozen=True)
class Row:
    row: int  # where it is in the file: the line of a CSV file, the place in a JSON list
    number: str
    title: str
    description: str = ""
    is_public: bool = True
    external_id: str = ""
    position: int = 0

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "number": self.number,
            "title": self.title,
            "description": self.description,
            "is_public": self.is_public,
            "external_id": self.external_id,
            "position": self.position,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Row:
        return cls(
            row=int(data["row"]),
            number=str(data["number"]),
            title=str(data["title"]),
            description=str(data.get("description", "")),
            is_public=bool(data.get("is_public", True)),
            external_id=str(data.get("external_id", "")),
            position=int(data.get("position", 0)),
        )


@dataclass(frozen=True)
class Rejected:
    row: int
    reason: str


@dataclass
class Parsed:
    format: str
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


# --- reading -------------------------------------------------------------------------


def read_agenda(data: bytes, *, filename: str = "") -> Parsed:
    """Read an agenda file of any supported format, or raise AgendaFileError."""
    if len(data) > MAX_BYTES:
        raise AgendaFileError(
            _("The file is too large (%(size)s KB). The limit is %(limit)s KB.")
            % {"size": len(data) // 1024, "limit": MAX_BYTES // 1024}
        )
    if not data.strip():
        raise AgendaFileError(_("The file is empty."))
    text = _decode(data)
    if "\x00" in text:
        raise AgendaFileError(_("The file is not text. Use JSON or CSV."))
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith(("{", "[")):
        return _read_json(text)
    return _read_csv(text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets in Denmark often save CSV as Windows-1252.
        return data.decode("cp1252", errors="replace")


def _read_json(text: str) -> Parsed:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise AgendaFileError(
            _("The file is not valid JSON. Check it in a JSON validator, or use CSV.")
        ) from None
    if isinstance(document, dict) and isinstance(document.get("agendaItem"), list):
        return _read_oparl(document["agendaItem"])
    if isinstance(document, dict) and isinstance(document.get("agenda"), list):
        return _read_ocd(document["agenda"])
    raise AgendaFileError(
        _(
            'The JSON file has neither an "agenda" list (Open Civic Data) nor an '
            '"agendaItem" list (OParl).'
        )
    )


def _too_many(count: int) -> None:
    if count > MAX_ROWS:
        raise AgendaFileError(
            _("The agenda has %(count)s items; at most %(limit)s can be imported at once.")
            % {"count": count, "limit": MAX_ROWS}
        )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        # No NUL, lone surrogate (JSON can carry one, security L2) or invisible control.
        return clean_text(str(value)).strip()
    return ""


def _read_ocd(agenda: list) -> Parsed:
    _too_many(len(agenda))
    parsed = Parsed("Open Civic Data")
    for place, entry in enumerate(agenda, start=1):
        if not isinstance(entry, dict):
            parsed.rejected.append(Rejected(place, _("The entry is not an object.")))
            continue
        order = _text(entry.get("order"))
        notes = entry.get("notes") or []
        subjects = entry.get("subjects") or []
        parts = [_text(note) for note in (notes if isinstance(notes, list) else [notes])]
        if isinstance(subjects, list) and subjects:
            words = ", ".join(filter(None, (_text(subject) for subject in subjects)))
            parts.append(_("Subjects: %(subjects)s") % {"subjects": words})
        extras = entry.get("extras")
        if not isinstance(extras, dict):
            extras = {}
        public = extras.get("public", entry.get("public", True))
        _add(
            parsed,
            place,
            number=order or str(place),
            title=_text(entry.get("description")),
            description="\n\n".join(filter(None, parts)),
            public=public,
            external_id=_text(entry.get("id") or extras.get("id")),
            position=_position(order, place),
        )
    return parsed


def _read_oparl(items: list) -> Parsed:
    _too_many(len(items))
    parsed = Parsed("OParl")
    for place, entry in enumerate(items, start=1):
        if not isinstance(entry, dict):
            parsed.rejected.append(Rejected(place, _("The entry is not an object.")))
            continue
        order = _text(entry.get("order"))
        _add(
            parsed,
            place,
            number=_text(entry.get("number")) or order or str(place),
            title=_text(entry.get("name")),
            description=_text(entry.get("resolutionText")),
            public=entry.get("public", True),
            external_id=_text(entry.get("id")),
            position=_position(order, place),
        )
    return parsed


def _read_csv(text: str) -> Parsed:
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise AgendaFileError(_("The CSV file has no header row.")) from None
    if "title" not in header:
        raise AgendaFileError(
            _(
                "The CSV file needs a header row with the columns number;title;description;"
                "public (title at least). Found: %(found)s."
            )
            % {"found": delimiter.join(header)[:200] or "-"}
        )
    column = {name: index for index, name in enumerate(header)}
    parsed = Parsed("CSV")
    count = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            _too_many(count)
            line = reader.line_num

            def cell(name: str, cells=cells) -> str:
                index = column.get(name)
                return cells[index].strip() if index is not None and index < len(cells) else ""

            _add(
                parsed,
                line,
                number=cell("number"),
                title=cell("title"),
                description=cell("description"),
                public=cell("public") or True,
                external_id=cell("external_id") or cell("id"),
                position=count,
            )
    except csv.Error as error:
        raise AgendaFileError(
            _("The CSV file cannot be read at line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return parsed


def _position(order: str, place: int) -> int:
    return int(order) if order.isdigit() and len(order) < 7 else place


def _public(value) -> bool | None:
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _add(parsed: Parsed, row: int, *, number, title, description, public, external_id, position):
    """Check one row and add it to the rows or the rejected rows."""

    def reject(reason: str) -> None:
        parsed.rejected.append(Rejected(row, reason))

    if not title:
        return reject(_("The title is empty."))
    if not number:
        return reject(_("The number is empty."))
    if len(number) > MAX_NUMBER:
        return reject(_("The number is longer than %(limit)s characters.") % {"limit": MAX_NUMBER})
    if len(title) > MAX_TITLE:
        return reject(_("The title is longer than %(limit)s characters.") % {"limit": MAX_TITLE})
    if len(external_id) > MAX_EXTERNAL_ID:
        return reject(_("The id is longer than %(limit)s characters.") % {"limit": MAX_EXTERNAL_ID})
    if len(description) > MAX_DESCRIPTION:
        return reject(
            _("The description is longer than %(limit)s characters.") % {"limit": MAX_DESCRIPTION}
        )
    is_public = _public(public)
    if is_public is None:
        return reject(
            _('"%(value)s" in the public column is neither yes nor no.') % {"value": public}
        )
    for earlier in parsed.rows:
        if earlier.number == number:
            return reject(
                _("The number %(number)s is used already in row %(row)s.")
                % {"number": number, "row": earlier.row}
            )
        if external_id and earlier.external_id == external_id:
            return reject(
                _("The id %(id)s is used already in row %(row)s.")
                % {"id": external_id, "row": earlier.row}
            )
    parsed.rows.append(Row(row, number, title, description, is_public, external_id, position))
    return None


# --- planning against the meeting's agenda (reads the database) ----------------------

FIELDS = ("number", "title", "description", "is_public", "external_id", "position")


@dataclass
class Update:
    item: AgendaItem
    row: Row
    changed: list[str]


@dataclass
class Plan:
    create: list[Row] = field(default_factory=list)
    update: list[Update] = field(default_factory=list)
    unchanged: list[Update] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    # The items of the meeting the file leaves alone.
    kept: list[AgendaItem] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        """The rows that will go in, to carry from the preview to the confirmation."""
        return sorted(
            [*self.create, *(u.row for u in self.update), *(u.row for u in self.unchanged)],
            key=lambda row: row.row,
        )


def agenda_import_plan(*, meeting, rows: list[Row], rejected: Sequence[Rejected] = ()) -> Plan:
    from samskab.webcasts.models import AgendaItem

    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    by_external = {item.external_id: item for item in items if item.external_id}
    by_number = {item.number: item for item in items}
    rejected_rows = list(rejected)
    matched: dict[int, Row] = {}  # item pk -> row
    pairs: list[tuple[Row, AgendaItem | None]] = []
    for row in rows:
        item = by_external.get(row.external_id) if row.external_id else None
        if item is None:
            candidate = by_number.get(row.number)
            if candidate is not None and not (
                row.external_id
                and candidate.external_id
                and candidate.external_id != row.external_id
            ):
                item = candidate
        if item is not None and item.pk in matched:
            rejected_rows.append(
                Rejected(
                    row.row,
                    _("The row matches the same agenda item as row %(row)s.")
                    % {"row": matched[item.pk].row},
                )
            )
            continue
        if item is not None:
            matched[item.pk] = row
        pairs.append((row, item))

    # A number may not end up on two items: rows that would take the number of an item the
    # file leaves alone are rejected (which can leave another item alone: repeat).
    while True:
        taken_pks = {item.pk for _row, item in pairs if item is not None}
        kept_numbers = {item.number: item for item in items if item.pk not in taken_pks}
        clash = next(
            (
                (row, item)
                for row, item in pairs
                if row.number in kept_numbers
                and (item is None or kept_numbers[row.number].pk != item.pk)
            ),
            None,
        )
        if clash is None:
            break
        row, _item = clash
        holder = kept_numbers[row.number]
        rejected_rows.append(
            Rejected(
                row.row,
                _(
                    'The number %(number)s belongs to the item "%(title)s", '
                    "which is not in the file."
                )
                % {"number": row.number, "title": holder.title},
            )
        )
        pairs.remove(clash)

    plan = Plan(rejected=sorted(rejected_rows, key=lambda rejected_row: rejected_row.row))
    for row, item in pairs:
        if item is None:
            plan.create.append(row)
            continue
        changed = [
            name
            for name in FIELDS
            if getattr(row, name) != getattr(item, name)
            and not (name == "external_id" and not row.external_id)
        ]
        (plan.update if changed else plan.unchanged).append(Update(item, row, changed))
    taken = {update.item.pk for update in [*plan.update, *plan.unchanged]}
    plan.kept = [item for item in items if item.pk not in taken]
    return plan
