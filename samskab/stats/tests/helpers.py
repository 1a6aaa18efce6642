"""Shared set-up for the statistics tests: an archived meeting with two items and a speaker."""

from datetime import UTC, datetime

from samskab.stats import ingest
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.services import speaker_turns_rebuild
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory, PersonFactory, mark

STARTED = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)


def archived_meeting(duration_s: int = 3600) -> Meeting:
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        recording_started_at=STARTED,
        duration_ms=duration_s * 1000,
        video_kind=Meeting.VideoKind.UPLOAD,
    )
    first = AgendaItemFactory(meeting=meeting, title="Budget")
    second = AgendaItemFactory(meeting=meeting, title="Skoler")
    person = PersonFactory(name="Anna Jensen")
    mark(meeting, TimelineMark.Kind.MEETING_START, 0)
    mark(meeting, TimelineMark.Kind.ITEM, 0, agenda_item=first)
    mark(meeting, TimelineMark.Kind.SPEAKER, 10_000, person=person)
    mark(meeting, TimelineMark.Kind.ITEM, 1_800_000, agenda_item=second)
    mark(meeting, TimelineMark.Kind.MEETING_END, duration_s * 1000)
    speaker_turns_rebuild(meeting=meeting)
    meeting.first_item, meeting.second_item, meeting.person = first, second, person
    ingest._facts.clear()
    return meeting


def beacon(ticket: str, kind: str, seq: int, **extra) -> dict:
    return {"t": ticket, "k": kind, "s": seq, **extra}
