"""Re-anchoring passages on a new version of the draft (pure; the service stores it).

For each passage, in order:
1. exact: its paragraph (by anchor) still holds the quoted text where it was, or holds it
   once more elsewhere (the occurrence nearest its old place, preferring the one with the
   same text before and after), or another paragraph holds it;
2. approximate: the old paragraph is aligned with its counterpart in the new version (same
   anchor, else the most similar new paragraph) once with difflib, the passage's offsets are
   carried through that alignment, and the text there must still resemble the quote;
3. otherwise it is about an earlier version (it keeps its old text).

An unchanged paragraph costs a dictionary look-up; only changed paragraphs are aligned,
once each, whatever the number of passages on them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 32
MIN_SIMILAR = 0.6  # the quote against the text found at the carried offsets
MIN_PARAGRAPH = 0.5  # an old paragraph against a new one of another anchor


@dataclass(frozen=True)
class Spot:
    anchor: str
    start: int
    end: int
    state: str  # exact, approximate, earlier


@dataclass(frozen=True)
class Where:
    anchor: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def _nearest(text: str, where: Where) -> int | None:
    """Where the quote occurs in `text`, the best occurrence first by its context, then by
    nearness to the old start."""
    found: list[int] = []
    at = text.find(where.quote)
    while at != -1 and len(found) < 200:
        found.append(at)
        at = text.find(where.quote, at + 1)
    if not found:
        return None

    def score(position: int) -> tuple[int, int]:
        before, after = context_of(text, position, position + len(where.quote))
        same = int(before.endswith(where.prefix[-12:])) + int(after.startswith(where.suffix[:12]))
        return (-same, abs(position - where.start))

    return min(found, key=score)


class Aligner:
    """The old version's paragraphs against the new one's, by anchor -> text."""

    def __init__(self, old: dict[str, str], new: dict[str, str]) -> None:
        self.old, self.new = old, new
        self._pairs: dict[str, tuple[str, list] | None] = {}
        self._by_text: dict[str, str] = {}
        for anchor, text in new.items():
            self._by_text.setdefault(text, anchor)

    def _counterpart(self, anchor: str) -> str | None:
        old_text = self.old.get(anchor, "")
        if anchor in self.new:
            same = difflib.SequenceMatcher(None, old_text, self.new[anchor], autojunk=False)
            if same.quick_ratio() >= MIN_PARAGRAPH and same.ratio() >= MIN_PARAGRAPH:
                return anchor
        best, best_ratio = None, MIN_PARAGRAPH
        for other, text in self.new.items():
            matcher = difflib.SequenceMatcher(None, old_text, text, autojunk=False)
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = other, ratio
        return best

    def pair(self, anchor: str) -> tuple[str, list] | None:
        """The new anchor for an old paragraph and the alignment's opcodes."""
        if anchor not in self._pairs:
            other = self._counterpart(anchor)
            if other is None:
                self._pairs[anchor] = None
            else:
                matcher = difflib.SequenceMatcher(
                    None, self.old.get(anchor, ""), self.new[other], autojunk=False
                )
                self._pairs[anchor] = (other, matcher.get_opcodes())
        return self._pairs[anchor]

    def moved_exactly(self, text: str) -> str | None:
        return self._by_text.get(text)


def _carry(opcodes: list, position: int, *, is_end: bool) -> int:
    for op, i1, i2, j1, j2 in opcodes:
        if i1 <= position < i2 or (is_end and i1 < position <= i2):
            if op == "equal":
                return j1 + (position - i1)
            return j2 if is_end else j1
    return opcodes[-1][4] if opcodes else 0


def reanchor(where: Where, aligner: Aligner) -> Spot:
    old_text = aligner.old.get(where.anchor)
    new_text = aligner.new.get(where.anchor)
    # 1. The paragraph is unchanged, or holds the quote still.
    if new_text is not None:
        if new_text[where.start : where.end] == where.quote:
            return Spot(where.anchor, where.start, where.end, "exact")
        at = _nearest(new_text, where)
        if at is not None:
            return Spot(where.anchor, at, at + len(where.quote), "exact")
    if old_text is not None:
        # The paragraph moved unchanged (renumbered).
        moved = aligner.moved_exactly(old_text)
        if moved is not None:
            return Spot(moved, where.start, where.end, "exact")
    # 2. Carried through the alignment of the paragraph with its counterpart.
    if old_text is not None:
        pair = aligner.pair(where.anchor)
        if pair is not None:
            other, opcodes = pair
            text = aligner.new[other]
            at = _nearest(text, where)
            if at is not None:
                return Spot(other, at, at + len(where.quote), "exact")
            start = _carry(opcodes, where.start, is_end=False)
            end = _carry(opcodes, where.end, is_end=True)
            if end > start:
                found = text[start:end]
                ratio = difflib.SequenceMatcher(None, where.quote, found, autojunk=False).ratio()
                if ratio >= MIN_SIMILAR:
                    return Spot(other, start, end, "approximate")
    return Spot(where.anchor, where.start, where.end, "earlier")
