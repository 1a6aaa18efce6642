"""Reads of meetings: the "now" state for the player and the archive index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.webcasts import index, vtt
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    CaptionCue,
    Captions,
    Meeting,
    Person,
    Slide,
    SpeakerTurn,
    TimelineMark,
)
from samskab.webcasts.thumbnails import playlist_seconds


def active_marks(meeting: Meeting) -> list[index.Mark]:
    """The marks that count (not undone), as plain data for the pure index module."""
    rows = (
        TimelineMark.objects.filter(meeting=meeting, is_undone=False)
        .order_by("offset_ms", "pk")
        .values_list("pk", "kind", "offset_ms", "agenda_item_id", "person_id", "slide_id")
    )
    return [index.Mark(*row) for row in rows]


def closed_session_now(meeting_id: int) -> bool:
    """Whether the meeting sits in closed session: its latest closed-session mark (by the
    wall clock, as the operator pressed) is a start. The ingest asks this twice a second."""
    latest = (
        TimelineMark.objects.filter(
            meeting_id=meeting_id,
            is_undone=False,
            kind__in=[TimelineMark.Kind.CLOSED_START, TimelineMark.Kind.CLOSED_END],
        )
        .order_by("-at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return latest == TimelineMark.Kind.CLOSED_START


def video_end_ms(meeting: Meeting) -> int | None:
    """The length of our own recording once the meeting is over (None while live or when
    the video is someone else's). The timeline editor, clips and redactions stop here: the
    meeting's end is when the operator pressed "End", which may be long after the video
    stops (review finding 17)."""
    if meeting.status == Meeting.Status.LIVE:
        return None
    seconds = playlist_seconds(meeting)
    return int(seconds * 1000) if seconds else None


def recording_end_ms(meeting: Meeting, marks: list[index.Mark]) -> int | None:
    """Where open segments end: the meeting_end mark, else the recording's length."""
    end = index.end_of_meeting(marks)
    if end is not None:
        return end
    if meeting.status == Meeting.Status.LIVE:
        return None
    return meeting.duration_ms


# --- the "now" state -----------------------------------------------------------------


def item_data(item: AgendaItem | None) -> dict | None:
    if item is None:
        return None
    # A closed item is announced by its number only; its title may name a person or a sale.
    return {
        "id": item.pk,
        "number": item.number,
        "title": item.title if item.is_public else _("Closed item"),
        "is_public": item.is_public,
    }


def person_data(person: Person | None) -> dict | None:
    if person is None:
        return None
    named = person.shown_name == person.name
    return {
        "id": person.pk,
        "name": person.shown_name,
        "party": person.party if named else "",
        "role": person.role if named else "",
    }


def slide_data(slide: Slide | None) -> dict | None:
    # A closed item's slide stays closed even if it is put up during a public item.
    if slide is None or not slide.deck.agenda_item.is_public:
        return None
    return {
        "deck": slide.deck_id,
        "deck_title": slide.deck.title,
        "number": slide.number,
        "image_url": slide.image.url if slide.image else "",
    }


def meeting_state(meeting: Meeting, *, offset_ms: int | None = None) -> dict:
    """What viewers see now: the running item, speaker and slide (JSON-ready).

    During a closed item or a closed session the speaker and the slide are withheld: they
    are not broadcast, and the item is shown only as closed.
    """
    marks = active_marks(meeting)
    state = index.state_now(marks)
    item = AgendaItem.objects.filter(pk=state.item_id).first() if state.item_id else None
    public = (item is None or item.is_public) and not state.closed
    person = (
        Person.objects.filter(pk=state.person_id).first() if state.person_id and public else None
    )
    slide = (
        Slide.objects.select_related("deck").filter(pk=state.slide_id).first()
        if state.slide_id and public
        else None
    )
    if offset_ms is None and marks:
        offset_ms = marks[-1].offset_ms
    return {
        "meeting": meeting.pk,
        "status": meeting.status,
        "offset_ms": offset_ms,
        "on_break": state.on_break,
        "closed_session": state.closed,
        "item": item_data(item),
        "speaker": person_data(person),
        "slide": slide_data(slide),
    }


def live_offset_ms(meeting: Meeting, *, at=None) -> int | None:
    """Milliseconds since the recording started, for a mark set now (or at `at`)."""
    if meeting.recording_started_at is None:
        return None
    at = at or timezone.now()
    return int((at - meeting.recording_started_at).total_seconds() * 1000)


# --- the archive index ---------------------------------------------------------------


@dataclass
class TurnEntry:
    person: Person
    start_ms: int
    end_ms: int | None
    mark_id: int


@dataclass
class ItemEntry:
    item: AgendaItem
    segments: list[index.Segment] = field(default_factory=list)
    turns: list[TurnEntry] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        return self.item.is_public

    @property
    def start_ms(self) -> int | None:
        return self.segments[0].start_ms if self.segments else None


@dataclass
class MeetingIndex:
    meeting: Meeting
    items: list[ItemEntry]
    # Turns before the first item mark (opening words, say) belong to no item.
    turns_without_item: list[TurnEntry]
    end_ms: int | None
    # Closed sessions: the public saw the slate (the archive shows them as closed).
    closed: list[index.Span] = field(default_factory=list)

    @property
    def segments(self) -> list[tuple[AgendaItem, index.Segment]]:
        """Every agenda segment in time order, for chapters."""
        pairs = [(entry.item, segment) for entry in self.items for segment in entry.segments]
        return sorted(pairs, key=lambda pair: pair[1].start_ms)

    @property
    def turns(self) -> list[tuple[AgendaItem | None, TurnEntry]]:
        pairs: list[tuple[AgendaItem | None, TurnEntry]] = [
            (entry.item, turn) for entry in self.items for turn in entry.turns
        ]
        pairs += [(None, turn) for turn in self.turns_without_item]
        return sorted(pairs, key=lambda pair: pair[1].start_ms)


def meeting_index(meeting: Meeting) -> MeetingIndex:
    """The agenda with each item's segments and speaker turns, in three queries."""
    marks = active_marks(meeting)
    end_ms = recording_end_ms(meeting, marks)
    derived = index.derive(marks, end_ms=end_ms)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    entries = {item.pk: ItemEntry(item) for item in items}
    for segment in derived.segments:
        if segment.item_id in entries:
            entries[segment.item_id].segments.append(segment)
    turns = SpeakerTurn.objects.filter(meeting=meeting).select_related("person")
    without_item: list[TurnEntry] = []
    for turn in turns.order_by("start_ms", "pk"):
        entry = TurnEntry(turn.person, turn.start_ms, turn.end_ms, turn.mark_id)
        if turn.agenda_item_id in entries:
            entries[turn.agenda_item_id].turns.append(entry)
        else:
            without_item.append(entry)
    return MeetingIndex(meeting, list(entries.values()), without_item, end_ms, list(derived.closed))


# --- WebVTT tracks ------------------------------------------------------------------


def _open_end(meeting_index_: MeetingIndex) -> int:
    """Where a still-open segment or turn ends in a track: the live edge, or its start."""
    if meeting_index_.end_ms is not None:
        return meeting_index_.end_ms
    return max(0, live_offset_ms(meeting_index_.meeting) or 0)


def item_heading(item: AgendaItem) -> str:
    if not item.is_public:
        return _("%(number)s. Closed item") % {"number": item.number}
    return f"{item.number}. {item.title}"


def meeting_chapters(meeting: Meeting) -> list[vtt.Chapter]:
    """One chapter per agenda segment; closed items appear by number only."""
    result = meeting_index(meeting)
    fallback = _open_end(result)
    chapters = [
        vtt.Chapter(segment.start_ms, segment.end_ms or fallback, item_heading(item))
        for item, segment in result.segments
    ]
    chapters += [
        vtt.Chapter(span.start_ms, span.end_ms or fallback, _("Closed session"))
        for span in result.closed
    ]
    return sorted(chapters, key=lambda chapter: chapter.start_ms)


def meeting_speaker_cues(meeting: Meeting) -> list[vtt.MetadataCue]:
    """One metadata cue per public speaker turn: who speaks, on which item."""
    result = meeting_index(meeting)
    fallback = _open_end(result)
    cues = []
    for item, turn in result.turns:
        if item is not None and not item.is_public:
            continue
        cues.append(
            vtt.MetadataCue(
                turn.start_ms,
                turn.end_ms or fallback,
                {"speaker": person_data(turn.person), "item": item_data(item)},
            )
        )
    return cues


# --- lists ---------------------------------------------------------------------------


def meetings_published() -> QuerySet[Meeting]:
    return Meeting.objects.filter(is_published=True, body__is_active=True).select_related("body")


def meetings_upcoming(*, body: Body | None = None) -> QuerySet[Meeting]:
    meetings = meetings_published().filter(
        status__in=[Meeting.Status.PLANNED, Meeting.Status.LIVE],
        starts_at__gte=timezone.now() - timedelta(hours=12),
    )
    if body is not None:
        meetings = meetings.filter(body=body)
    return meetings.order_by("starts_at")


def meetings_past(*, body: Body | None = None) -> QuerySet[Meeting]:
    meetings = meetings_published().filter(status=Meeting.Status.ENDED)
    if body is not None:
        meetings = meetings.filter(body=body)
    return meetings.order_by("-starts_at")


def meeting_with_agenda(pk: int) -> Meeting:
    return (
        Meeting.objects.select_related("body")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position", "pk")),
            "speakers",
        )
        .get(pk=pk)
    )


def item_at(meeting: Meeting, at) -> AgendaItem | None:
    """The agenda item under discussion at a wall-clock moment (the last item mark set
    before it and not undone), or None before the first."""
    if at is None:
        return None
    mark = (
        TimelineMark.objects.filter(
            meeting=meeting, kind=TimelineMark.Kind.ITEM, is_undone=False, at__lte=at
        )
        .select_related("agenda_item")
        .order_by("-at", "-pk")
        .first()
    )
    return mark.agenda_item if mark is not None else None


def meeting_where(meeting: Meeting, at=None):
    """Where something written on a meeting was written, for staff (core.targets' `where`):
    the meeting, and the agenda item under discussion then."""
    from samskab.core.targets import Where

    label = str(meeting.title)
    item = item_at(meeting, at)
    if item is not None:
        label = _("%(meeting)s · agenda item %(item)s") % {
            "meeting": label,
            "item": item_heading(item),
        }
    return Where(label, meeting.get_absolute_url())


@dataclass
class Transcript:
    """What was said, from one language's captions, by agenda item, for the text page."""

    captions: Captions
    before: list[CaptionCue]  # before the first item (opening words)
    by_item: dict[int, list[CaptionCue]]


def meeting_transcript(
    meeting_index: MeetingIndex, captions: list[Captions], language: str
) -> Transcript | None:
    """The cues of the captions in `language` (else the first), each under the public item
    it was said in. Nothing said in a closed item or a closed session is included, even if
    it was captioned by mistake; nor what was said between items, after the first."""
    if not captions:
        return None
    chosen = next((c for c in captions if c.language == language), captions[0])
    spans: list[tuple[int, int | None, int | None]] = []  # start, end, public item or None
    for item, segment in meeting_index.segments:
        spans.append((segment.start_ms, segment.end_ms, item.pk if item.is_public else None))
    first_start = min((start for start, _end, _item in spans), default=None)
    closed = [(span.start_ms, span.end_ms) for span in meeting_index.closed]
    transcript = Transcript(captions=chosen, before=[], by_item={})
    for cue in CaptionCue.objects.filter(captions=chosen).order_by("start_ms", "pk"):
        at = cue.start_ms
        if any(start <= at and (end is None or at < end) for start, end in closed):
            continue
        within = [item for start, end, item in spans if start <= at and (end is None or at < end)]
        if within:
            if within[0] is not None:
                transcript.by_item.setdefault(within[0], []).append(cue)
        elif first_start is None or at < first_start:
            transcript.before.append(cue)
    return transcript


def meetings_for_staff(*, days: int = 14) -> QuerySet[Meeting]:
    """Staff's meetings: live ones, and today's and those of the coming `days`, published or
    not, cancelled ones too (staff should see that a meeting is off)."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Meeting.objects.filter(
            Q(status=Meeting.Status.LIVE)
            | Q(starts_at__gte=today, starts_at__lt=today + timedelta(days=days + 1))
        )
        .select_related("body")
        .order_by("starts_at")
    )
