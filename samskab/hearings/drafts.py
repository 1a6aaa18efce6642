"""A draft's text: Markdown (or Word through mammoth) to numbered paragraphs with anchors,
sentences for the keyboard's choice of a passage, the highlighted paragraph, and the
readable difference between two versions. Pure functions; no database.

Anchors follow Danish legal numbering: a block that begins "§ 3" opens section "p3"; its
first paragraph is "p3" (stk. 1), and a block that begins "Stk. 2." is "p3-stk2". Other
headings are "h-<words>", other paragraphs "<section>-a<n>" (or "a<n>" before any §).
"""

from __future__ import annotations

import difflib
import html
import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.text import slugify

MAX_DOCX_BYTES = 5 * 1024 * 1024
MAX_MARKDOWN = 400_000
MAX_BLOCKS = 3000

_SECTION = re.compile(r"^§\s*(\d+)\s*([a-z])?\b", re.IGNORECASE)
_STK = re.compile(r"^stk\.\s*(\d+)\.?", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+(.*)$")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[A-ZÆØÅ§\"“(])")
# "Stk. 2." or "§ 3." before a sentence is part of it, not a sentence of its own.
_SHORT = 12


class DraftError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Block:
    kind: str  # heading, paragraph, item
    level: int
    text: str
    anchor: str = ""
    section: str = ""
    label: str = ""


def _plain(text: str) -> str:
    """Inline Markdown emphasis off, spaces joined: the text people select in."""
    text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("\\", "")
    return " ".join(text.split())


def blocks_of(markdown: str) -> list[Block]:
    """The Markdown's blocks (blank lines part them; a heading or list item is one line)."""
    if len(markdown) > MAX_MARKDOWN:
        raise DraftError("too_long")
    found: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            text = _plain(" ".join(lines))
            if text:
                found.append(Block("paragraph", 0, text))
            lines.clear()

    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = _HEADING.match(line)
        item = _ITEM.match(line)
        if heading:
            flush()
            text = _plain(heading.group(2).rstrip("#").strip())
            if text:
                found.append(Block("heading", len(heading.group(1)), text))
        elif item and not _SECTION.match(line):
            flush()
            text = _plain(item.group(1))
            if text:
                found.append(Block("item", 0, text))
        else:
            lines.append(line)
    flush()
    if len(found) > MAX_BLOCKS:
        raise DraftError("too_many")
    return anchored(found)


def anchored(blocks: list[Block]) -> list[Block]:
    """Each block with its anchor, its section and its label ("§ 3, stk. 2")."""
    out: list[Block] = []
    used: set[str] = set()
    section, section_label, stk, other = "", "", 0, 0

    def unique(anchor: str) -> str:
        candidate, n = anchor, 2
        while candidate in used:
            candidate, n = f"{anchor}-{n}", n + 1
        used.add(candidate)
        return candidate

    for block in blocks:
        match = _SECTION.match(block.text)
        if match:
            number = match.group(1) + (match.group(2) or "").lower()
            section, section_label, stk, other = f"p{number}", f"§ {number}", 0, 0
            if block.kind == "heading":
                out.append(
                    Block(
                        block.kind, block.level, block.text, unique(section), section, section_label
                    )
                )
                continue
            stk = 1
            out.append(
                Block(block.kind, block.level, block.text, unique(section), section, section_label)
            )
            continue
        if block.kind == "heading":
            # A heading that is no § closes the section.
            section, section_label, stk, other = "", "", 0, 0
            slug = slugify(block.text)[:40] or "afsnit"
            out.append(Block(block.kind, block.level, block.text, unique(f"h-{slug}"), "", ""))
            continue
        match = _STK.match(block.text)
        if section and match:
            stk = int(match.group(1))
            anchor = f"{section}-stk{stk}"
            label = f"{section_label}, stk. {stk}"
            out.append(Block(block.kind, 0, block.text, unique(anchor), section, label))
            continue
        if section and stk == 0 and block.kind == "paragraph":
            # The first paragraph under a § heading is its stk. 1.
            stk = 1
            out.append(
                Block(
                    block.kind,
                    0,
                    block.text,
                    unique(section + "-stk1"),
                    section,
                    f"{section_label}, stk. 1",
                )
            )
            continue
        other += 1
        base = f"{section}-a{other}" if section else f"a{other}"
        out.append(Block(block.kind, 0, block.text, unique(base), section, section_label))
    return out


# --- Word ------------------------------------------------------------------------------


class _Blocks(HTMLParser):
    """mammoth's plain HTML (h1-h6, p, li, table cells) to blocks."""

    TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.tag: str | None = None
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.TAGS:
            self._flush()
            self.tag = tag
        elif tag == "br":
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag == self.tag:
            self._flush()

    def handle_data(self, data) -> None:
        if self.tag is not None:
            self.parts.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        if self.tag and text:
            if self.tag.startswith("h"):
                self.blocks.append(Block("heading", int(self.tag[1]), text))
            elif self.tag == "li":
                self.blocks.append(Block("item", 0, text))
            else:
                self.blocks.append(Block("paragraph", 0, text))
        self.tag, self.parts = None, []


def docx_to_markdown(data: bytes) -> str:
    """A Word document (.docx) as the Markdown the draft keeps; DraftError("not_docx") or
    ("too_large") otherwise."""
    if len(data) > MAX_DOCX_BYTES:
        raise DraftError("too_large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise DraftError("not_docx")
            # A zip bomb: the document's XML may not unpack to more than 20 times the limit.
            if sum(info.file_size for info in archive.infolist()) > 20 * MAX_DOCX_BYTES:
                raise DraftError("too_large")
    except zipfile.BadZipFile:
        raise DraftError("not_docx") from None
    import mammoth

    try:
        result = mammoth.convert_to_html(io.BytesIO(data))
    except Exception:  # mammoth raises many kinds on a broken document
        raise DraftError("not_docx") from None
    parser = _Blocks()
    parser.feed(result.value)
    parser.close()
    lines = []
    for block in parser.blocks:
        if block.kind == "heading":
            lines.append("#" * block.level + " " + block.text)
        elif block.kind == "item":
            lines.append("- " + block.text)
        else:
            lines.append(block.text)
    if not lines:
        raise DraftError("empty")
    return "\n\n".join(lines) + "\n"


# --- sentences and highlights -----------------------------------------------------------


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: the keyboard's way to choose a passage."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    carry: int | None = None
    for a, b in spans:
        a = a if carry is None else carry
        if b - a < _SHORT and (a, b) != spans[-1]:
            carry = a
            continue
        merged.append((a, b))
        carry = None
    return merged or [(0, len(text))]


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    count: int  # comments on the passage
    url: str  # "": marked, without a count link
    label: str  # for screen readers: "3 comments on “…”"


def highlighted(text: str, marks: list[Mark]) -> str:
    """The paragraph's text as HTML, each commented passage in <mark> followed by a link
    with its count (where the mark has an address). Overlapping passages share their
    marks."""
    if not marks:
        return html.escape(text)
    marks = sorted(marks, key=lambda m: (m.end, m.start))
    covered = [False] * (len(text) + 1)
    for mark in marks:
        for i in range(max(0, mark.start), min(len(text), mark.end)):
            covered[i] = True
    links: dict[int, list[Mark]] = {}
    for mark in marks:
        if mark.url:
            links.setdefault(min(mark.end, len(text)), []).append(mark)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and covered[j] == covered[i] and (j == i or j not in links):
            j += 1
        chunk = html.escape(text[i:j])
        out.append(f"<mark>{chunk}</mark>" if covered[i] else chunk)
        i = j
        for mark in links.pop(i, []):
            out.append(
                f'<a class="passage-count" data-skip href="{html.escape(mark.url)}" '
                f'aria-label="{html.escape(mark.label)}">{mark.count}</a>'
            )
    for rest in links.values():
        for mark in rest:
            out.append(
                f'<a class="passage-count" data-skip href="{html.escape(mark.url)}" '
                f'aria-label="{html.escape(mark.label)}">{mark.count}</a>'
            )
    return "".join(out)


# --- differences -------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    state: str  # same, changed, added, removed
    label: str
    html: str


def _words_diff(old: str, new: str) -> str:
    a, b = old.split(" "), new.split(" ")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)


def difference(old: list[tuple[str, str, str]], new: list[tuple[str, str, str]]) -> list[DiffRow]:
    """Two versions' paragraphs as (anchor, label, text) to rows a person reads: the same,
    changed (words struck out and added), added or removed."""
    rows: list[DiffRow] = []
    a = [text for _anchor, _label, text in old]
    b = [text for _anchor, _label, text in new]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(DiffRow("same", new[j][1], html.escape(new[j][2])) for j in range(j1, j2))
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        while olds and news:
            i, j = olds.pop(0), news.pop(0)
            ratio = difflib.SequenceMatcher(None, a[i], b[j], autojunk=False).quick_ratio()
            if ratio >= 0.4:
                rows.append(DiffRow("changed", new[j][1] or old[i][1], _words_diff(a[i], b[j])))
            else:
                rows.append(DiffRow("removed", old[i][1], html.escape(a[i])))
                rows.append(DiffRow("added", new[j][1], html.escape(b[j])))
        rows.extend(DiffRow("removed", old[i][1], html.escape(a[i])) for i in olds)
        rows.extend(DiffRow("added", new[j][1], html.escape(b[j])) for j in news)
    return rows
