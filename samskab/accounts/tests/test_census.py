"""The census file reader: pure, no database."""

import hashlib
import hmac
from datetime import date

import pytest

from samskab.accounts.census import (
    CensusFileError,
    FileProblem,
    RowProblem,
    hash_identifier,
    normalise_identifier,
    parse_census,
    parse_date,
)

PEPPER = "test-pepper"
TODAY = date(2026, 6, 1)


def parse(text: str, *, bom: bool = False):
    data = ("\ufeff" if bom else "").encode() + text.encode()
    return parse_census(data, pepper=PEPPER, today=TODAY)


def problems(parsed) -> list[tuple[int, RowProblem, str]]:
    return [(error.row, error.problem, error.detail) for error in parsed.errors]


def test_it_reads_danish_excel_semicolons_with_a_bom_and_a_header():
    parsed = parse("CPR-nummer;Fødselsdato;Postnr\r\n0101901234;01-01-1990;8000\r\n", bom=True)
    assert parsed.ok
    assert parsed.had_header
    assert parsed.rows_read == 1
    [row] = parsed.rows
    assert row.identifier_hash == hash_identifier("0101901234", pepper=PEPPER)
    assert row.birth_date == date(1990, 1, 1)
    assert row.postal_code == "8000"


def test_it_reads_danish_excel_s_windows_1252_csv():
    data = "CPR-nummer;Fødselsdato;Postnr\r\n010190-1234;01-01-1990;8000\r\n".encode("cp1252")
    parsed = parse_census(data, pepper=PEPPER, today=TODAY)
    assert parsed.ok
    assert parsed.had_header
    assert parsed.rows[0].identifier_hash == hash_identifier("0101901234", pepper=PEPPER)


def test_an_identifier_with_letters_hashes_alike_from_either_encoding():
    line = "Æblegård-7;1990-01-01;8000\n"
    from_utf8 = parse_census(line.encode(), pepper=PEPPER, today=TODAY)
    from_windows = parse_census(line.encode("cp1252"), pepper=PEPPER, today=TODAY)
    assert from_utf8.rows == from_windows.rows


def test_it_reads_commas_without_a_header_or_a_bom():
    parsed = parse("0101901234,1990-01-01,8000\n1502854321,1985-02-15,8200\n")
    assert parsed.ok
    assert not parsed.had_header
    assert [row.postal_code for row in parsed.rows] == ["8000", "8200"]


def test_it_reads_cells_excel_put_in_quotes():
    parsed = parse('"0101901234";"01.01.1990";"8000"\n')
    assert parsed.ok
    assert parsed.rows[0].birth_date == date(1990, 1, 1)


@pytest.mark.parametrize("text", ["1990-01-31", "31-01-1990", "31.01.1990", "31-1-1990"])
def test_it_accepts_iso_and_danish_dates(text):
    assert parse_date(text) == date(1990, 1, 31)


@pytest.mark.parametrize("text", ["31-02-1990", "1990/01/31", "01-31-90", "", "1800-01-01", "x"])
def test_it_refuses_what_is_not_a_possible_birth_date(text):
    assert parse_date(text) is None


def test_a_birth_date_in_the_future_is_refused():
    assert parse_date("02-06-2026", today=TODAY) is None
    assert parse_date("01-06-2026", today=TODAY) == TODAY


def test_identifiers_ignore_dashes_spaces_and_case():
    assert normalise_identifier(" 010190-1234 ") == "0101901234"
    assert normalise_identifier("010190\u00a01234") == "0101901234"
    assert normalise_identifier("ab-12 c") == "AB12C"
    assert hash_identifier("010190-1234", pepper=PEPPER) == hash_identifier(
        "0101901234", pepper=PEPPER
    )


def test_the_identifier_is_kept_only_as_hmac_under_the_pepper():
    digest = hash_identifier("0101901234", pepper=PEPPER)
    expected = hmac.new(PEPPER.encode(), b"0101901234", hashlib.sha256).hexdigest()
    assert digest == expected
    assert digest != hash_identifier("0101901234", pepper="another pepper")
    assert digest != hashlib.sha256(b"0101901234").hexdigest()


def test_it_reports_every_broken_row_by_its_excel_row_number():
    parsed = parse(
        "cpr;fødselsdato;postnr\n"
        "0101901234;1990-01-01;8000\n"  # row 2, fine
        "1502854321;1985-02-30;8200\n"  # row 3: no 30 February
        "3112705678;1970-12-31;800\n"  # row 4: three digits
        ";1970-12-31;8000\n"  # row 5: no identifier
        "010190-1234;1990-01-01;8000\n"  # row 6: row 2 again
        "1111111111;1990-01-01\n"  # row 7: a column missing
    )
    assert not parsed.ok
    assert problems(parsed) == [
        (3, RowProblem.BAD_DATE, "1985-02-30"),
        (4, RowProblem.BAD_POSTAL_CODE, "800"),
        (5, RowProblem.EMPTY_IDENTIFIER, ""),
        (6, RowProblem.DUPLICATE_IDENTIFIER, "2"),
        (7, RowProblem.WRONG_COLUMNS, "2"),
    ]
    assert parsed.rows_read == 6


def test_a_row_with_several_problems_reports_each():
    parsed = parse("0101901234;1990-01-01;8000\n ;13-13-1990;DK-8000\n")
    assert problems(parsed) == [
        (2, RowProblem.EMPTY_IDENTIFIER, ""),
        (2, RowProblem.BAD_DATE, "13-13-1990"),
        (2, RowProblem.BAD_POSTAL_CODE, "DK-8000"),
    ]


def test_a_broken_first_row_is_reported_not_taken_for_a_header():
    parsed = parse("0101901234;1990-31-01;8000\n1502854321;1985-02-15;8200\n")
    assert not parsed.had_header
    assert problems(parsed) == [(1, RowProblem.BAD_DATE, "1990-31-01")]


def test_empty_lines_and_trailing_separators_are_not_broken_rows():
    parsed = parse("cpr;dato;postnr;;\n\n0101901234;1990-01-01;8000;;\n;;\n\n")
    assert parsed.ok
    assert parsed.rows_read == 1


def test_formula_cells_are_plain_data_never_evaluated():
    parsed = parse("=cmd|'/c calc'!A1;1990-01-01;8000\n0101901234;1990-01-01;=1+1\n")
    assert problems(parsed) == [(2, RowProblem.BAD_POSTAL_CODE, "=1+1")]
    assert parsed.rows[0].identifier_hash == hash_identifier("=CMD|'/C CALC'!A1", pepper=PEPPER)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FileProblem.NOT_TEXT),
        ("0101901234;1990-01-01;8000\n".encode("utf-16"), FileProblem.NOT_TEXT),
        (b"cpr;f\x81dselsdato;postnr\n0101901234;1990-01-01;8000\n", FileProblem.UNKNOWN_ENCODING),
        (b"", FileProblem.NO_ROWS),
        (b"\n\n", FileProblem.NO_ROWS),
        ("cpr;fødselsdato;postnr\n".encode(), FileProblem.NO_ROWS),
    ],
    ids=["binary", "utf-16", "undecodable", "empty", "blank lines", "header only"],
)
def test_a_file_that_is_not_a_census_is_refused_as_a_whole(data, problem):
    with pytest.raises(CensusFileError) as refused:
        parse_census(data, pepper=PEPPER)
    assert refused.value.problem is problem


def test_it_reads_a_hundred_thousand_rows():
    lines = [
        f"{i:010d};{1 + i % 28:02d}-{1 + i % 12:02d}-{1930 + i % 90};{1000 + i % 9000}"
        for i in range(100_000)
    ]
    parsed = parse_census("\n".join(lines).encode(), pepper=PEPPER, today=TODAY)
    assert parsed.ok
    assert len(parsed.rows) == 100_000
    assert len({row.identifier_hash for row in parsed.rows}) == 100_000


def test_full_width_digits_and_zero_width_spaces_are_the_same_identifier():
    """Security review I7: such a census row never matched the number the resident typed."""
    from samskab.accounts.census import hash_identifier

    typed = hash_identifier("010190-1234", pepper="p")
    full_width = "".join(chr(0xFF10 + int(c)) if c.isdigit() else "\uff0d" for c in "010190-1234")
    assert hash_identifier(full_width, pepper="p") == typed
    assert hash_identifier("0101\u200b90\u20601234\ufeff", pepper="p") == typed
