"""The archive index derived from a meeting's timeline marks (pure: no Django).

Given the marks that are not undone, sorted by offset, this module works out the agenda
segments (which item ran from when to when) and the speaker turns (who spoke, on which item,
from when to when), and the "now" state at the live edge. The rules:

- an item mark ends the running segment and the running turn and opens a segment of its item;
- a speaker mark ends the running turn and opens a turn on the running item (or none);
- a break ends the running turn and segment; the interrupted item resumes (a new segment of
  the same item) at the next speaker mark, unless an item mark comes first;
- a meeting_start after a break resumes the meeting but opens nothing by itself;
- closed_start (the closed session) ends the running turn and segment like a break and
  opens a closed span, which closed_end ends; the item resumes as after a break;
- meeting_end ends everything; marks after it are ignored;
- a slide mark changes only the slide shown; item changes and breaks clear it;
- marks at the same offset are taken in the order they were set; a segment or turn that
  would last no time at all is left out.

Segments and turns still open when the marks run out end at `end_ms` (the length of the
recording when known) or stay open (None) while the meeting is live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MEETING_START = "meeting_start"
ITEM = "item"
SPEAKER = "speaker"
SLIDE = "slide"
BREAK = "break"
MEETING_END = "meeting_end"
CLOSED_START = "closed_start"
CLOSED_END = "closed_end"
KINDS = frozenset(
    {MEETING_START, ITEM, SPEAKER, SLIDE, BREAK, MEETING_END, CLOSED_START, CLOSED_END}
)


@dataclass(frozen=True)
class Mark:
    id: int
    kind: str
    offset_ms: int
    item_id: int | None = None
    person_id: int | None = None
    slide_id: int | None = None


@dataclass(frozen=True)
class Segment:
    item_id: int
    start_ms: int
    end_ms: int | None


@dataclass(frozen=True)
class Turn:
    mark_id: int
    person_id: int
    item_id: int | None
    start_ms: int
    end_ms: int | None


@dataclass(frozen=True)
class Span:
    """A closed session: the public saw the slate from start to end."""

    start_ms: int
    end_ms: int | None


@dataclass(frozen=True)
class Index:
    segments: tuple[Segment, ...]
    turns: tuple[Turn, ...]
    closed: tuple[Span, ...] = ()


@dataclass(frozen=True)
class State:
    """What is happening at the live edge (or at the end of a finished meeting)."""

    item_id: int | None
    person_id: int | None
    slide_id: int | None
    on_break: bool
    started: bool
    ended: bool
    closed: bool = False


def sort_marks(marks: Iterable[Mark]) -> list[Mark]:
    # Equal offsets keep the order they were set in (ids grow with time).
    return sorted(marks, key=lambda mark: (mark.offset_ms, mark.id))


def derive(marks: Sequence[Mark], *, end_ms: int | None = None) -> Index:
    segments: list[Segment] = []
    turns: list[Turn] = []
    item_id: int | None = None  # the item being discussed (kept across a break)
    segment_start: int | None = None  # start of the open segment of item_id, if any
    turn: tuple[int, int, int | None, int] | None = None  # mark id, person, item, start
    closed: list[Span] = []
    closed_start: int | None = None

    # Marks at the same offset (two buttons pressed at once, a correction onto another mark)
    # would make empty segments and turns: those are left out.
    def close_turn(at: int | None) -> None:
        nonlocal turn
        if turn is not None:
            mark_id, person_id, turn_item, start = turn
            if at is None or at > start:
                turns.append(Turn(mark_id, person_id, turn_item, start, at))
            turn = None

    def close_segment(at: int | None) -> None:
        nonlocal segment_start
        if item_id is not None and segment_start is not None and (at is None or at > segment_start):
            segments.append(Segment(item_id, segment_start, at))
        segment_start = None

    for mark in sort_marks(marks):
        if mark.kind == MEETING_END:
            close_turn(mark.offset_ms)
            close_segment(mark.offset_ms)
            item_id = None
            if closed_start is not None:
                closed.append(Span(closed_start, mark.offset_ms))
                closed_start = None
            break
        if mark.kind == CLOSED_START:
            close_turn(mark.offset_ms)
            close_segment(mark.offset_ms)
            if closed_start is None:
                closed_start = mark.offset_ms
            continue
        if mark.kind == CLOSED_END:
            if closed_start is not None:
                if mark.offset_ms > closed_start:
                    closed.append(Span(closed_start, mark.offset_ms))
                closed_start = None
            continue
        if mark.kind == ITEM and mark.item_id is not None:
            close_turn(mark.offset_ms)
            close_segment(mark.offset_ms)
            item_id = mark.item_id
            segment_start = mark.offset_ms
        elif mark.kind == SPEAKER and mark.person_id is not None:
            close_turn(mark.offset_ms)
            if item_id is not None and segment_start is None:
                segment_start = mark.offset_ms  # the item resumes after a break
            turn = (mark.id, mark.person_id, item_id, mark.offset_ms)
        elif mark.kind == BREAK:
            close_turn(mark.offset_ms)
            close_segment(mark.offset_ms)
    close_turn(end_ms)
    close_segment(end_ms)
    if closed_start is not None:
        closed.append(Span(closed_start, end_ms))
    segments.sort(key=lambda segment: segment.start_ms)
    return Index(tuple(segments), tuple(turns), tuple(closed))


def state_now(marks: Sequence[Mark]) -> State:
    item_id: int | None = None
    person_id: int | None = None
    slide_id: int | None = None
    on_break = started = ended = closed = False
    for mark in sort_marks(marks):
        if mark.kind == CLOSED_START:
            closed = True
            person_id = slide_id = None
            continue
        if mark.kind == CLOSED_END:
            closed = False
            continue
        if mark.kind == MEETING_END:
            ended = True
            item_id = person_id = slide_id = None
            on_break = closed = False
            break
        if mark.kind == MEETING_START:
            started = True
            on_break = False
        elif mark.kind == ITEM and mark.item_id is not None:
            started = True
            on_break = False
            item_id, person_id, slide_id = mark.item_id, None, None
        elif mark.kind == SPEAKER and mark.person_id is not None:
            started = True
            on_break = False
            person_id = mark.person_id
        elif mark.kind == SLIDE:
            slide_id = mark.slide_id
        elif mark.kind == BREAK:
            on_break = True
            person_id = slide_id = None
    return State(item_id, person_id, slide_id, on_break, started, ended, closed)


def end_of_meeting(marks: Sequence[Mark]) -> int | None:
    """The offset of the first meeting_end mark, if the meeting has ended."""
    ends = [mark.offset_ms for mark in marks if mark.kind == MEETING_END]
    return min(ends) if ends else None
