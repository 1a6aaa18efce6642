"""Cleaning text that people and programs send us, before anything stores or renders it.

One helper for the forms, the API and every importer (a pure module: no Django import), so
a NUL, a lone surrogate or a right-to-left override is treated the same wherever it comes in.
Why each goes: PostgreSQL refuses NUL in text and jsonb; a lone surrogate (possible in JSON,
`"\\ud800"`) cannot be encoded as UTF-8, so storing, escaping or exporting it fails; other
control characters are invisible and break CSV, XLSX and e-mail headers; bidirectional
overrides (U+202E) make a name read backwards next to someone else's words (security I1).
"""

from __future__ import annotations

import re

# Explicit embeddings, overrides and isolates: they reorder what follows them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The implicit marks change no order on their own; a one-line name needs none of them.
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls and DEL, but tab and line ends; vertical tab and form feed (Word's line
# and page breaks, kept by a paste) and the Unicode line and paragraph separators are line ends.
_CONTROLS = {c: None for c in [*range(32), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"} | {
    0x0B: "\n",
    0x0C: "\n",
    0x2028: "\n",
    0x2029: "\n",
}
_TEXT_TABLE = _CONTROLS | {ord(c): None for c in BIDI_CONTROLS}
_LINE_TABLE = _TEXT_TABLE | {ord(c): None for c in BIDI_MARKS}


class BrokenText(ValueError):
    """Text with a NUL or a lone surrogate, refused rather than cleaned (`strict=True`).

    `code` is "nul" or "surrogate", for a caller to word the refusal in the visitor's language.
    """

    def __init__(self, code: str):
        self.code = code
        super().__init__(
            "the text contains a NUL character"
            if code == "nul"
            else "the text contains a broken character (a lone UTF-16 surrogate)"
        )


def _has_surrogate(value: str) -> bool:
    """Whether `value` holds a lone surrogate: only those cannot be encoded as UTF-8, and
    encoding (in C) is many times faster than searching with the expression over a long text
    (a 5 MB pabulib file); ASCII text has none."""
    if value.isascii():
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return False


def broken(value: str) -> str | None:
    """ "nul" or "surrogate" if `value` has one (what `strict` refuses), else None."""
    if "\x00" in value:
        return "nul"
    if _has_surrogate(value):
        return "surrogate"
    return None


def clean_text(value: str, *, line: bool = False, strict: bool = False) -> str:
    """`value` without NUL, lone surrogates, invisible controls or bidirectional overrides.

    Line ends become "\\n" (CRLF, CR, vertical tab, form feed, U+2028/9); tabs stay. With
    `line` (names, titles, one-line fields) every run of white space becomes one space, the
    implicit direction marks go too, and the ends are stripped. With `strict` a NUL or a lone
    surrogate raises `BrokenText` instead of being dropped: for input whose sender can be told
    (an API call), where silently changing it would hide a broken client.
    """
    if strict and (code := broken(value)) is not None:
        raise BrokenText(code)
    if _has_surrogate(value):
        value = _SURROGATE.sub("", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.translate(_LINE_TABLE if line else _TEXT_TABLE)
    return " ".join(value.split()) if line else value
