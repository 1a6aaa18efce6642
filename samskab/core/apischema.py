"""Building blocks every API router shares: bounded ids, cleaned text, pages, problems.

Each router uses these instead of bare `int` and `str`, so no input reaches the database as
an integer it cannot store (SQLite and PostgreSQL stop at 2**63 - 1) or as text it refuses
(NUL) or cannot encode (a lone surrogate), and each operation documents the refusals it
really gives (`PROBLEMS`). The API's exception handlers answer every one as a `Problem`.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator

from samskab.core.text import BrokenText, clean_text

MAX_ID = 2**63 - 1  # the largest value of a 64-bit primary key


def refusal_of_broken_text(code: str) -> str:
    if code == "nul":
        return _("The text contains a NUL character, which is not allowed.")
    return _("The text contains a broken character (a lone surrogate); send it as UTF-8.")


def _text(value: str, *, line: bool = False) -> str:
    try:
        return clean_text(value, line=line, strict=True)
    except BrokenText as broken:
        # A ValueError in a validator is a 422 with this message for the field.
        raise ValueError(refusal_of_broken_text(broken.code)) from None


def _line(value: str) -> str:
    return _text(value, line=True)


# An object's id in a path, a query or a body: 1 to 2**63 - 1, else a 422 with the reason.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Free text (a comment): NUL and lone surrogates refused, invisible controls and bidi
# overrides dropped, line ends made "\n".
Text = Annotated[str, AfterValidator(_text)]
# One line (a name, a number, a kind): as Text, and white space runs become one space.
Line = Annotated[str, AfterValidator(_line)]


class Page(LimitOffsetPagination):
    """limit/offset pages: `limit` 1 to NINJA_PAGINATION_MAX_LIMIT, `offset` below 2**63."""

    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_ID - ninja_settings.PAGINATION_MAX_LIMIT)


class Problem(Schema):
    """Why a request was refused: a sentence (or a list of them, or of ninja's validation
    errors) in the requester's language."""

    detail: Any


# The refusals an operation can answer, to add to its `response=` map:
# 400 the request is not acceptable now (a closed poll, a wrong option) or malformed;
# 401 a token or a sign-in is needed; 403 not allowed (a role, a CSRF check);
# 404 no such object; 409 conflicts with what is stored (a second vote);
# 413 body too large; 415 a write that is not JSON; 422 an input of the wrong type or range;
# 429 too many requests.
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429)
PROBLEMS: dict[int, type[Problem]] = dict.fromkeys(PROBLEM_STATUSES, Problem)
# A read refuses only a malformed address (400), a bad token (401), an object that is not
# there or not public (404) and an input of the wrong type or range (422).
READ_PROBLEMS: dict[int, type[Problem]] = dict.fromkeys((400, 401, 404, 422), Problem)
