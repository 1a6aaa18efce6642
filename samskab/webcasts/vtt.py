"""WebVTT in and out (pure: no Django).

Out: a chapters track from the agenda segments (`<track kind="chapters">`) and a metadata
track of speaker turns whose cue payloads are one line of JSON (`<track kind="metadata">`).
In: a parser for uploaded captions that reports every broken cue with its line number and
extracts the plain text of the cues for search. It follows the W3C WebVTT syntax strictly
enough that a file it accepts plays in browsers, and forgives what browsers forgive
(identifiers, cue settings, NOTE/STYLE/REGION blocks, a byte-order mark, CRLF).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_ERRORS = 20
_TIMESTAMP = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_SPECIAL_BLOCK = re.compile(r"^(NOTE|STYLE|REGION)(\s|$)")


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True)
class MetadataCue:
    start_ms: int
    end_ms: int
    payload: dict


@dataclass(frozen=True)
class Cue:
    line: int  # where the timing line is, counting from 1
    start_ms: int
    end_ms: int
    text: str  # the payload as written (tags and all)

    @property
    def plain_text(self) -> str:
        return cue_plain_text(self.text)


# What can be wrong, as codes with an English message; the app translates by code.
PROBLEMS = {
    "no_header": 'the file must start with the line "WEBVTT"',
    "not_utf8": "the file is not UTF-8 text",
    "binary": "the file holds binary data, not text",
    "header_not_separated": "a blank line must separate the header from the first cue",
    "no_timing": "a cue needs a timing line such as 00:00:01.000 --> 00:00:04.000",
    "bad_time": '"{value}" is not a time such as 00:01:02.500 (hours optional)',
    "ends_before_start": "the cue ends ({end}) before or when it starts ({start})",
    "arrow_in_text": 'cue text may not contain "-->" (is a blank line missing?)',
    "out_of_order": (
        "this cue starts at {start}, before the cue above it ({previous}); "
        "cues must be in time order"
    ),
}


@dataclass(frozen=True)
class Problem:
    line: int
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        return PROBLEMS[self.code].format(**dict(self.params))

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Parsed:
    cues: tuple[Cue, ...]
    problems: tuple[Problem, ...]
    more_problems: int = 0  # problems beyond MAX_ERRORS, counted but not listed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def text(self) -> str:
        """The cues' plain text, one cue a line, for the search index."""
        return "\n".join(text for cue in self.cues if (text := cue.plain_text))


# --- writing -------------------------------------------------------------------------


def format_timestamp(ms: int) -> str:
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    # Cue text may not hold a blank line or "-->", and &, < and > must be escaped.
    one_line = _SPACES.sub(" ", text).strip()
    return one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _timing(start_ms: int, end_ms: int) -> str:
    end_ms = max(end_ms, start_ms + 1)  # a cue must end after it starts
    return f"{format_timestamp(start_ms)} --> {format_timestamp(end_ms)}"


def chapters_vtt(chapters: Iterable[Chapter]) -> str:
    blocks = ["WEBVTT"]
    for number, chapter in enumerate(chapters, start=1):
        blocks.append(
            f"chapter-{number}\n{_timing(chapter.start_ms, chapter.end_ms)}\n"
            f"{_cue_text(chapter.title) or '-'}"
        )
    return "\n\n".join(blocks) + "\n"


def metadata_vtt(cues: Iterable[MetadataCue]) -> str:
    blocks = ["WEBVTT"]
    for cue in cues:
        # One line of JSON; "<", ">" and "&" are escaped so no "-->" can appear in it.
        payload = (
            json.dumps(cue.payload, ensure_ascii=False, separators=(",", ":"))
            .replace("&", "\\u0026")
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )
        blocks.append(f"{_timing(cue.start_ms, cue.end_ms)}\n{payload}")
    return "\n\n".join(blocks) + "\n"


def captions_vtt(cues: Iterable[tuple[int, int, str]]) -> str:
    """Plain captions from (start_ms, end_ms, text)."""
    blocks = ["WEBVTT"]
    for start_ms, end_ms, text in cues:
        blocks.append(f"{_timing(start_ms, end_ms)}\n{_cue_text(text) or '-'}")
    return "\n\n".join(blocks) + "\n"


# --- reading -------------------------------------------------------------------------


def parse_timestamp(value: str) -> int | None:
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    hours, minutes, seconds, millis = match.groups()
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def cue_plain_text(text: str) -> str:
    """The words of a cue: voice, class and timestamp tags removed, entities decoded."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Problem(line, "not_utf8")
    if "\x00" in text:
        return None, Problem(text[: text.index("\x00")].count("\n") + 1, "binary")
    return text, None


def parse(data: str | bytes) -> Parsed:
    if isinstance(data, bytes):
        text, undecodable = decode(data)
        if text is None:
            assert undecodable is not None  # noqa: S101  # decode returns one or the other
            return Parsed((), (undecodable,))
    else:
        text = data
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[Problem] = []
    cues: list[Cue] = []

    def problem(line: int, code: str, **params: str) -> None:
        problems.append(Problem(line, code, tuple(params.items())))

    first = lines[0] if lines else ""
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        return Parsed((), (Problem(1, "no_header"),))

    # Skip the header up to the first blank line.
    position = 1
    while position < len(lines) and lines[position].strip():
        if "-->" in lines[position]:
            problem(position + 1, "header_not_separated")
            break
        position += 1

    previous_start = 0
    for block_start, block in _blocks(lines, position):
        head = block[0]
        if _SPECIAL_BLOCK.match(head) and "-->" not in head:
            continue
        timing_index = 0 if "-->" in head else 1
        if timing_index >= len(block) or "-->" not in block[timing_index]:
            problem(block_start, "no_timing")
            continue
        line_number = block_start + timing_index
        cue = _cue(block[timing_index], block[timing_index + 1 :], line_number, problem)
        if cue is None:
            continue
        if cue.start_ms < previous_start:
            problem(
                line_number,
                "out_of_order",
                start=format_timestamp(cue.start_ms),
                previous=format_timestamp(previous_start),
            )
            continue
        previous_start = cue.start_ms
        cues.append(cue)

    more = max(0, len(problems) - MAX_ERRORS)
    return Parsed(tuple(cues), tuple(problems[:MAX_ERRORS]), more)


def _blocks(lines: Sequence[str], position: int) -> Iterable[tuple[int, list[str]]]:
    """Runs of non-blank lines with the 1-based number of their first line."""
    block: list[str] = []
    start = 0
    for index in range(position, len(lines)):
        line = lines[index]
        if line.strip():
            if not block:
                start = index + 1
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _cue(timing: str, payload: list[str], line: int, problem) -> Cue | None:
    left, _arrow, right = timing.partition("-->")
    start_text = left.strip()
    end_parts = right.split()
    end_text = end_parts[0] if end_parts else ""
    start, end = parse_timestamp(start_text), parse_timestamp(end_text)
    if start is None or end is None:
        bad = start_text if start is None else end_text
        problem(line, "bad_time", value=bad)
        return None
    if end <= start:
        problem(line, "ends_before_start", start=format_timestamp(start), end=format_timestamp(end))
        return None
    for offset, text in enumerate(payload, start=1):
        if "-->" in text:
            problem(line + offset, "arrow_in_text")
            return None
    return Cue(line, start, end, "\n".join(payload))


# --- redacting ---------------------------------------------------------------------------


def redact(data: str, *, start_ms: int, end_ms: int, cut: bool) -> str:
    """The captions without what was said in [start_ms, end_ms), the rest left as written.

    Every cue that touches the range goes (its words cannot be split by time, so any of them
    may be what was redacted). With `cut` the range left the recording, so the cues after it
    move back by its length. Identifiers, cue settings, NOTE, STYLE and REGION blocks stay.
    """
    lines = data.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    position = 0
    while position < len(lines) and lines[position].strip():
        position += 1  # the header, up to the first blank line
    kept = ["\n".join(lines[:position])]
    length = end_ms - start_ms
    for _line, block in _blocks(lines, position):
        timing_index = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_index is None or (_SPECIAL_BLOCK.match(block[0]) and "-->" not in block[0]):
            kept.append("\n".join(block))
            continue
        left, _arrow, right = block[timing_index].partition("-->")
        end_text, *rest = right.split(maxsplit=1) or [""]
        settings = rest[0] if rest else ""
        start, end = parse_timestamp(left.strip()), parse_timestamp(end_text)
        if start is None or end is None:
            kept.append("\n".join(block))  # the parser refused such files; keep what it is
            continue
        if start < end_ms and end > start_ms:
            continue
        if cut and start >= end_ms:
            start, end = start - length, end - length
        timing = f"{format_timestamp(start)} --> {format_timestamp(end)}"
        if settings.strip():
            timing += " " + settings.strip()
        kept.append("\n".join([*block[:timing_index], timing, *block[timing_index + 1 :]]))
    return "\n\n".join(kept) + "\n"
