"""Archive search (W12): find the moment in a recorded meeting where something was said.

Searched: meeting titles and descriptions, agenda items, speakers' names, slide text and
caption cues. Every hit links to its moment (the meeting's page with ?t=<seconds>).
PostgreSQL searches with full-text search in the 'danish' configuration (so "skolerne"
finds "skole"); SQLite, the quick start's database, with a case-insensitive LIKE per word.
Closed agenda items and what was said in them are never found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from samskab.webcasts import index
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    CaptionCue,
    Meeting,
    Person,
    Slide,
    SpeakerTurn,
    TimelineMark,
)
from samskab.webcasts.selectors import meetings_published

MAX_HITS = 200
MAX_WORDS = 8
MAX_QUERY = 200
SNIPPET_RADIUS = 90


class Kind:
    MEETING = "meeting"
    AGENDA = "agenda"
    SPEAKER = "speaker"
    SLIDE = "slide"
    CAPTIONS = "captions"


@dataclass
class Hit:
    meeting: Meeting
    agenda_item: AgendaItem | None
    offset_ms: int
    snippet: str
    kind: str
    person: Person | None = None

    @property
    def seconds(self) -> int:
        return self.offset_ms // 1000

    @property
    def url(self) -> str:
        return f"{self.meeting.get_absolute_url()}?t={self.seconds}"


def archive_search(
    *,
    q: str = "",
    body: Body | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    speaker: Person | None = None,
) -> list[Hit]:
    """Hits in recorded meetings, newest meeting first and in time order within one."""
    q = " ".join(q.split())[:MAX_QUERY]
    if not q and speaker is None:
        return []
    meetings = meetings_published().filter(status__in=[Meeting.Status.ENDED, Meeting.Status.LIVE])
    if body is not None:
        meetings = meetings.filter(body=body)
    if date_from is not None:
        meetings = meetings.filter(starts_at__date__gte=date_from)
    if date_to is not None:
        meetings = meetings.filter(starts_at__date__lte=date_to)

    hits: list[Hit] = []
    if q:
        words = q.split()[:MAX_WORDS]
        hits += _meeting_hits(meetings, q, words, speaker)
        hits += _agenda_hits(meetings, q, words, speaker)
        hits += _speaker_hits(meetings, words, speaker)
        hits += _slide_hits(meetings, q, words, speaker)
        hits += _caption_hits(meetings, q, words, speaker)
    else:
        hits += _turn_hits(_public_turns(meetings).filter(person=speaker))
    hits.sort(key=lambda hit: (-hit.meeting.starts_at.timestamp(), hit.offset_ms))
    return hits[:MAX_HITS]


# --- matching ------------------------------------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _matching(queryset: QuerySet, fields: list[str], q: str, words: list[str]) -> QuerySet:
    """Rows whose fields match the query: full text on PostgreSQL, every word on SQLite."""
    if _postgres():
        vector = SearchVector(*fields, config="danish")
        query = SearchQuery(q, config="danish", search_type="websearch")
        return queryset.annotate(search_vector=vector).filter(search_vector=query)
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": crude_stem(word)})
        condition &= any_field
    return queryset.filter(condition)


def crude_stem(word: str) -> str:
    """Without a stemmer, cut a long word's ending so "skolerne" still finds "skoler"."""
    word = word.strip('"')
    return word[: max(5, len(word) - 3)] if len(word) > 6 else word


def snippet(text: str, words: list[str]) -> str:
    """A piece of text around the first word found (or its stem), with ellipses."""
    text = " ".join(text.split())
    lowered = text.casefold()
    found = -1
    for word in words:
        word = word.strip('"-').casefold()
        stem = word[: max(4, len(word) - 2)]
        for candidate in (word, stem):
            if candidate and (position := lowered.find(candidate)) >= 0:
                found = position if found < 0 else min(found, position)
                break
    if found < 0 or len(text) <= 2 * SNIPPET_RADIUS:
        return text[: 2 * SNIPPET_RADIUS] + ("…" if len(text) > 2 * SNIPPET_RADIUS else "")
    start = max(0, found - SNIPPET_RADIUS)
    end = min(len(text), found + SNIPPET_RADIUS)
    # Cut at word boundaries.
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def _public_turns(meetings: QuerySet) -> QuerySet:
    return (
        SpeakerTurn.objects.filter(meeting__in=meetings)
        .exclude(agenda_item__is_public=False)
        .select_related("meeting__body", "agenda_item", "person")
    )


def _spoke(speaker: Person) -> Exists:
    """The row's moment (meeting, start_ms) lies within a turn of `speaker`."""
    return Exists(
        SpeakerTurn.objects.filter(
            meeting=OuterRef("meeting"),
            person=speaker,
            start_ms__lte=OuterRef("start_ms"),
        ).filter(Q(end_ms__isnull=True) | Q(end_ms__gt=OuterRef("start_ms")))
    )


def _item_starts() -> dict:
    return {
        "start_ms": Min(
            "marks__offset_ms",
            filter=Q(marks__kind=TimelineMark.Kind.ITEM, marks__is_undone=False),
        )
    }


# --- the kinds of hits ---------------------------------------------------------------


def _meeting_hits(meetings, q, words, speaker) -> list[Hit]:
    if speaker is not None:
        return []  # a meeting's title is nobody's words
    found = _matching(meetings.select_related("body"), ["title", "description"], q, words)
    return [
        Hit(
            meeting,
            None,
            0,
            snippet(f"{meeting.title}. {meeting.description}", words),
            Kind.MEETING,
        )
        for meeting in found[:MAX_HITS]
    ]


def _agenda_hits(meetings, q, words, speaker) -> list[Hit]:
    items = AgendaItem.objects.filter(meeting__in=meetings, is_public=True)
    if speaker is not None:
        items = items.filter(speaker_turns__person=speaker).distinct()
    items = _matching(items, ["title", "description"], q, words)
    items = items.select_related("meeting__body").annotate(**_item_starts())
    return [
        Hit(
            item.meeting,
            item,
            item.start_ms or 0,
            snippet(f"{item.number}. {item.title}. {item.description}", words),
            Kind.AGENDA,
        )
        for item in items[:MAX_HITS]
    ]


def _speaker_hits(meetings, words, speaker) -> list[Hit]:
    people = Person.objects.exclude(kind=Person.Kind.CITIZEN, consent_to_name=False)
    condition = Q()
    for word in words:
        condition &= Q(name__icontains=word) | Q(party__icontains=word)
    people = people.filter(condition)
    if speaker is not None:
        people = people.filter(pk=speaker.pk)
    turns = _public_turns(meetings).filter(person__in=people)
    return _turn_hits(turns)


def _turn_hits(turns) -> list[Hit]:
    hits = []
    for turn in turns.order_by("-meeting__starts_at", "start_ms")[:MAX_HITS]:
        label = turn.person.shown_name
        if turn.person.party and turn.person.shown_name == turn.person.name:
            label = f"{label} ({turn.person.party})"
        if turn.agenda_item is not None:
            label = f"{label}: {turn.agenda_item.number}. {turn.agenda_item.title}"
        hits.append(
            Hit(turn.meeting, turn.agenda_item, turn.start_ms, label, Kind.SPEAKER, turn.person)
        )
    return hits


def _slide_hits(meetings, q, words, speaker) -> list[Hit]:
    slides = Slide.objects.filter(
        deck__agenda_item__meeting__in=meetings, deck__agenda_item__is_public=True
    )
    slides = _matching(slides, ["text"], q, words)
    slides = slides.select_related("deck__agenda_item__meeting__body").annotate(
        shown_ms=Min("marks__offset_ms", filter=Q(marks__is_undone=False))
    )
    hits = []
    for slide in slides[:MAX_HITS]:
        item = slide.deck.agenda_item
        if slide.shown_ms is None:
            continue  # never shown in the meeting: no moment to link to
        hits.append(Hit(item.meeting, item, slide.shown_ms, snippet(slide.text, words), Kind.SLIDE))
    if speaker is not None:
        spoken = {
            (turn.meeting_id, turn.start_ms, turn.end_ms)
            for turn in SpeakerTurn.objects.filter(person=speaker, meeting__in=meetings)
        }
        hits = [
            hit
            for hit in hits
            if any(
                meeting_id == hit.meeting.pk
                and start <= hit.offset_ms
                and (end is None or hit.offset_ms < end)
                for meeting_id, start, end in spoken
            )
        ]
    return hits


def _caption_hits(meetings, q, words, speaker) -> list[Hit]:
    cues = CaptionCue.objects.filter(meeting__in=meetings)
    # Nothing said during a closed item is found, even if it was captioned by mistake.
    cues = cues.exclude(
        Exists(
            SpeakerTurn.objects.filter(
                meeting=OuterRef("meeting"),
                agenda_item__is_public=False,
                start_ms__lte=OuterRef("start_ms"),
            ).filter(Q(end_ms__isnull=True) | Q(end_ms__gt=OuterRef("start_ms")))
        )
    )
    if speaker is not None:
        cues = cues.filter(_spoke(speaker))
    cues = _matching(cues, ["text"], q, words).select_related("meeting__body")
    hits = []
    for cue in cues.order_by("-meeting__starts_at", "start_ms")[:MAX_HITS]:
        hits.append(Hit(cue.meeting, None, cue.start_ms, snippet(cue.text, words), Kind.CAPTIONS))
    hits = _outside_closed_items(hits)
    _attach_items(hits)
    return hits


def _outside_closed_items(hits: list[Hit]) -> list[Hit]:
    """Leave out what was said during a closed item, also where no speaker was marked:
    the item's segments come from the marks (two queries for all the hits' meetings)."""
    meeting_ids = {hit.meeting.pk for hit in hits}
    closed = set(
        AgendaItem.objects.filter(meeting_id__in=meeting_ids, is_public=False).values_list(
            "pk", flat=True
        )
    )
    if not closed:
        return hits
    marks: dict[int, list[index.Mark]] = defaultdict(list)
    rows = (
        TimelineMark.objects.filter(meeting_id__in=meeting_ids, is_undone=False)
        .order_by("meeting_id", "offset_ms", "pk")
        .values_list("meeting_id", "pk", "kind", "offset_ms", "agenda_item_id", "person_id")
    )
    for meeting_id, *mark in rows:
        marks[meeting_id].append(index.Mark(*mark))
    spans = {
        meeting_id: [
            (segment.start_ms, segment.end_ms)
            for segment in index.derive(meeting_marks).segments
            if segment.item_id in closed
        ]
        for meeting_id, meeting_marks in marks.items()
    }
    return [
        hit
        for hit in hits
        if not any(
            start <= hit.offset_ms and (end is None or hit.offset_ms < end)
            for start, end in spans.get(hit.meeting.pk, [])
        )
    ]


def _attach_items(hits: list[Hit]) -> None:
    """Name the agenda item each caption hit falls in, from the speaker turns (one query)."""
    if not hits:
        return
    meeting_ids = {hit.meeting.pk for hit in hits}
    turns = (
        SpeakerTurn.objects.filter(meeting_id__in=meeting_ids, agenda_item__isnull=False)
        .select_related("agenda_item")
        .order_by("start_ms")
    )
    by_meeting: dict[int, list[SpeakerTurn]] = {}
    for turn in turns:
        by_meeting.setdefault(turn.meeting_id, []).append(turn)
    for hit in hits:
        for turn in by_meeting.get(hit.meeting.pk, []):
            if turn.start_ms <= hit.offset_ms and (
                turn.end_ms is None or hit.offset_ms < turn.end_ms
            ):
                hit.agenda_item = turn.agenda_item
                break
