"""Reading the municipality's census extract and hashing its identifiers. No Django here.

A census file is CSV with three columns: identifier (a CPR number or another personal
identifier the municipality chooses), birth date and postal code. Danish Excel writes `;`,
in UTF-8 with a byte-order mark ("CSV UTF-8") or in Windows-1252 ("CSV (semikolonsepareret)");
other tools write `,` and UTF-8 without a mark; all of these are read. The identifier is
normalised and kept only as HMAC-SHA256 under a secret pepper, so the census table cannot
be turned back into CPR numbers without the pepper.
"""

import csv
import enum
import hashlib
import hmac
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from samskab.core.text import clean_text

# Dashes and every kind of white space, including Excel's non-breaking space.
# Spaces, dashes and invisible characters (zero-width spaces and joiners, word joiner, BOM)
# that a spreadsheet or a copy from a web page leaves in an identifier.
_IDENTIFIER_NOISE = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u00ad\u200b-\u200d\u2060\ufeff]+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DANISH_DATE = re.compile(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})$")
_POSTAL_CODE = re.compile(r"^\d{4}$")
EARLIEST_BIRTH_YEAR = 1850


class RowProblem(enum.Enum):
    EMPTY_IDENTIFIER = "empty_identifier"
    BAD_DATE = "bad_date"
    BAD_POSTAL_CODE = "bad_postal_code"
    DUPLICATE_IDENTIFIER = "duplicate_identifier"
    WRONG_COLUMNS = "wrong_columns"


class FileProblem(enum.Enum):
    NOT_TEXT = "not_text"
    UNKNOWN_ENCODING = "unknown_encoding"
    NO_ROWS = "no_rows"


class CensusFileError(ValueError):
    """The file as a whole cannot be read; no row is looked at."""

    def __init__(self, problem: FileProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as Excel numbers it: the first line of the file is row 1
    problem: RowProblem
    detail: str = ""  # the offending cell (never the identifier), or the first row's number


@dataclass(frozen=True, slots=True)
class CensusRow:
    identifier_hash: str
    birth_date: date
    postal_code: str


@dataclass
class ParsedCensus:
    rows: list[CensusRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0  # data rows, without the header and empty lines
    had_header: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def normalise_identifier(raw: str) -> str:
    """'010190-1234' and ' 0101901234 ' are the same person; letters ignore case.

    Full-width digits (U+FF10 to U+FF19, from an East Asian keyboard layout) are read as the
    digits they are (NFKC), and invisible characters are dropped (security review I7).
    """
    return _IDENTIFIER_NOISE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def hash_identifier(raw: str, *, pepper: str) -> str:
    """HMAC-SHA256 of the normalised identifier, as 64 hexadecimal characters."""
    return _digest(normalise_identifier(raw), pepper)


def _digest(identifier: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def parse_date(text: str, *, today: date | None = None) -> date | None:
    """YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY; None for anything else or an impossible date."""
    text = text.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DANISH_DATE.match(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if value.year < EARLIEST_BIRTH_YEAR or (today is not None and value > today):
        return None
    return value


def normalise_postal_code(text: str) -> str | None:
    """A Danish postal code: four digits (spaces ignored); None if it is not one."""
    code = "".join(text.split())
    return code if _POSTAL_CODE.match(code) else None


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252; refuse anything else.

    UTF-8 is tried first and almost never decodes text written in another encoding, so the
    fallback cannot misread a UTF-8 file. NUL bytes mean a binary file or UTF-16.
    """
    if b"\x00" in data[:65536]:
        raise CensusFileError(FileProblem.NOT_TEXT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise CensusFileError(FileProblem.UNKNOWN_ENCODING) from None
    return clean_text(text)  # line ends "\n", no invisible controls or bidi overrides


def sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","


def _looks_like_header(cells: list[str]) -> bool:
    # A header names its columns; a data row, even a broken one, has digits in its date
    # and postal code. Requiring no digits at all keeps a bad first row from being skipped.
    return len(cells) >= 3 and not any(ch.isdigit() for ch in cells[1] + cells[2])


def parse_census(data: bytes, *, pepper: str, today: date | None = None) -> ParsedCensus:
    """Read a whole census file; every broken row is reported, none is dropped silently."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return _parse_rows(enumerate(reader, start=1), pepper=pepper, today=today)
    except csv.Error:
        raise CensusFileError(FileProblem.NOT_TEXT) from None


def _parse_rows(
    numbered: Iterable[tuple[int, list[str]]], *, pepper: str, today: date | None
) -> ParsedCensus:
    result = ParsedCensus()
    first_row_of: dict[str, int] = {}
    seen_content = False
    for number, raw_cells in numbered:
        cells = [cell.strip() for cell in raw_cells]
        # Excel leaves empty lines and trailing separators; neither is a broken row.
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if not seen_content:
            seen_content = True
            if _looks_like_header(cells):
                result.had_header = True
                continue
        result.rows_read += 1
        if len(cells) != 3:
            result.errors.append(RowError(number, RowProblem.WRONG_COLUMNS, str(len(cells))))
            continue
        row_errors = []
        identifier = normalise_identifier(cells[0])
        if not identifier:
            row_errors.append(RowError(number, RowProblem.EMPTY_IDENTIFIER))
        birth_date = parse_date(cells[1], today=today)
        if birth_date is None:
            row_errors.append(RowError(number, RowProblem.BAD_DATE, cells[1]))
        postal_code = normalise_postal_code(cells[2])
        if postal_code is None:
            row_errors.append(RowError(number, RowProblem.BAD_POSTAL_CODE, cells[2]))
        digest = _digest(identifier, pepper) if identifier else ""
        if digest:
            if digest in first_row_of:
                row_errors.append(
                    RowError(number, RowProblem.DUPLICATE_IDENTIFIER, str(first_row_of[digest]))
                )
            else:
                first_row_of[digest] = number
        if row_errors:
            result.errors.extend(row_errors)
        elif birth_date is not None and postal_code is not None:  # always, once no error
            result.rows.append(CensusRow(digest, birth_date, postal_code))
    if not result.rows_read:
        raise CensusFileError(FileProblem.NO_ROWS)
    return result
