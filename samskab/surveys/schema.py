"""A survey as plain data, and the checking of one respondent's answers: pure, no Django.

Answer values by kind (as stored in Response.answers, keyed by str(question id)):
single -> choice id; multiple -> [choice ids]; text -> str; number -> int | float;
scale -> int; ranking -> [choice ids, first = most preferred]; matrix -> {str(row id): column id}.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from samskab.core.text import clean_text


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    NUMBER = "number"
    SCALE_5 = "scale5"
    SCALE_10 = "scale10"
    RANKING = "ranking"
    MATRIX = "matrix"


SCALES = {Kind.SCALE_5: (1, 5), Kind.SCALE_10: (0, 10)}
MAX_TEXT = 5000


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: Kind
    label: str
    required: bool = False
    choices: Sequence[tuple[int, str]] = ()  # options; matrix columns; ranking items
    rows: Sequence[tuple[int, str]] = ()  # matrix rows
    minimum: float | None = None  # number
    maximum: float | None = None
    show_if: tuple[int, int] | None = None  # (earlier question id, choice id)

    @property
    def choice_ids(self) -> set[int]:
        return {pk for pk, _text in self.choices}

    @property
    def row_ids(self) -> set[int]:
        return {pk for pk, _text in self.rows}


@dataclass
class Checked:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)  # question id -> message key

    @property
    def ok(self) -> bool:
        return not self.errors


# Error messages are keys here; the Django layer translates them.
REQUIRED = "required"
NOT_A_CHOICE = "not_a_choice"
NOT_A_NUMBER = "not_a_number"
OUT_OF_RANGE = "out_of_range"
TOO_LONG = "too_long"
INCOMPLETE_RANKING = "incomplete_ranking"
INCOMPLETE_MATRIX = "incomplete_matrix"


def is_shown(question: QuestionSpec, answers: Mapping[str, Any]) -> bool:
    """Show a conditional question only if the earlier answer includes the choice."""
    if question.show_if is None:
        return True
    earlier, choice = question.show_if
    value = answers.get(str(earlier))
    if isinstance(value, list):
        return choice in value
    return value == choice


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _check_one(q: QuestionSpec, value: Any) -> tuple[Any, str | None]:
    """(clean value, error key or None) for a non-empty raw value."""
    if q.kind == Kind.SINGLE:
        pk = _int(value)
        return (pk, None) if pk in q.choice_ids else (None, NOT_A_CHOICE)
    if q.kind == Kind.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        pks = [_int(v) for v in values]
        if any(pk not in q.choice_ids for pk in pks) or len(set(pks)) != len(pks):
            return None, NOT_A_CHOICE
        order = [pk for pk, _text in q.choices]
        return sorted(pks, key=order.index), None
    if q.kind == Kind.TEXT:
        # Control characters and lone surrogates (possible in JSON) are not text:
        # PostgreSQL refuses NUL in a jsonb column, openpyxl refuses the XLSX export with
        # any of them, and no export could encode a lone surrogate. Line ends become "\n":
        # a browser sends CRLF but counts it as one character against the maxlength.
        text = clean_text(str(value)).strip()
        return (text, None) if len(text) <= MAX_TEXT else (None, TOO_LONG)
    if q.kind == Kind.NUMBER:
        try:
            number = float(str(value).replace(",", ".")) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            return None, NOT_A_NUMBER
        if (q.minimum is not None and number < q.minimum) or (
            q.maximum is not None and number > q.maximum
        ):
            return None, OUT_OF_RANGE
        return (int(number) if number.is_integer() else number), None
    if q.kind in SCALES:
        low, high = SCALES[q.kind]
        point = _int(value)
        if point is None:
            return None, NOT_A_NUMBER
        return (point, None) if low <= point <= high else (None, OUT_OF_RANGE)
    if q.kind == Kind.RANKING:
        ranked = [_int(v) for v in value] if isinstance(value, list) else None
        if ranked is None or any(pk not in q.choice_ids for pk in ranked):
            return None, NOT_A_CHOICE
        if len(ranked) != len(q.choices) or set(ranked) != q.choice_ids:
            return None, INCOMPLETE_RANKING
        return ranked, None
    if q.kind == Kind.MATRIX:
        if not isinstance(value, Mapping):
            return None, NOT_A_CHOICE
        clean: dict[str, int] = {}
        for row, column in value.items():
            row_pk, column_pk = _int(row), _int(column)
            if row_pk not in q.row_ids or column_pk not in q.choice_ids:
                return None, NOT_A_CHOICE
            clean[str(row_pk)] = column_pk
        if q.required and len(clean) != len(q.rows):
            return None, INCOMPLETE_MATRIX
        return clean, None
    raise ValueError(f"unknown question kind {q.kind!r}")


def check_answers(questions: Sequence[QuestionSpec], raw: Mapping[str, Any]) -> Checked:
    """Clean one respondent's answers. Hidden questions' answers are dropped, never stored;
    a required question counts only where it is shown. Questions are in survey order."""
    result = Checked()
    for q in questions:
        if not is_shown(q, result.answers):
            continue
        value = raw.get(str(q.id))
        if _empty(value):
            if q.required:
                result.errors[q.id] = REQUIRED
            continue
        clean, error = _check_one(q, value)
        if error:
            result.errors[q.id] = error
        elif not _empty(clean):
            result.answers[str(q.id)] = clean
    return result
