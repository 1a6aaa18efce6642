"""The "now" state for the page and the archive index of a meeting."""

from datetime import UTC, datetime

import pytest

from samskab.webcasts import services
from samskab.webcasts.models import Meeting, Person, TimelineMark
from samskab.webcasts.selectors import meeting_index, meeting_state
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    SlideFactory,
    live_meeting,
    mark,
)

Kind = TimelineMark.Kind
pytestmark = pytest.mark.django_db


def test_the_state_of_a_live_meeting_names_item_speaker_and_slide():
    meeting = live_meeting()
    item = AgendaItemFactory(meeting=meeting, number="2", title="Budget")
    slide = SlideFactory(deck__agenda_item=item, deck__title="Oplæg", number=4)
    person = PersonFactory(name="Anna", party="SF", role="Formand")
    mark(meeting, Kind.ITEM, 100, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 200, person=person)
    mark(meeting, Kind.SLIDE, 300, slide=slide)
    state = meeting_state(meeting)
    assert state["status"] == "live"
    assert state["offset_ms"] == 300
    assert state["item"]["title"] == "Budget"
    assert state["speaker"] == {"id": person.pk, "name": "Anna", "party": "SF", "role": "Formand"}
    assert state["slide"]["number"] == 4
    assert state["slide"]["deck"] == slide.deck_id
    assert state["slide"]["image_url"].startswith("/media/slides/")


def test_a_citizen_without_consent_is_not_named_in_the_state():
    meeting = live_meeting()
    citizen = PersonFactory(
        name="Karen Jensen", kind=Person.Kind.CITIZEN, consent_to_name=False, party="X"
    )
    mark(meeting, Kind.SPEAKER, 200, person=citizen)
    speaker = meeting_state(meeting)["speaker"]
    assert speaker["name"] == "A citizen"
    assert "Karen" not in str(speaker)
    assert speaker["party"] == ""


def test_the_state_before_any_mark_is_empty():
    state = meeting_state(MeetingFactory())
    assert state["item"] is None and state["speaker"] is None and state["offset_ms"] is None


def test_the_index_gives_each_item_its_segments_and_turns_and_flags_closed_items():
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        duration_ms=10_000,
        recording_started_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    one = AgendaItemFactory(meeting=meeting, number="1", position=1)
    two = AgendaItemFactory(meeting=meeting, number="2", position=2, is_public=False)
    three = AgendaItemFactory(meeting=meeting, number="3", position=3)
    anna = PersonFactory(name="Anna")
    mark(meeting, Kind.MEETING_START, 0)
    mark(meeting, Kind.SPEAKER, 500, person=anna)
    mark(meeting, Kind.ITEM, 1000, agenda_item=one)
    mark(meeting, Kind.SPEAKER, 1500, person=anna)
    mark(meeting, Kind.ITEM, 3000, agenda_item=two)
    mark(meeting, Kind.MEETING_END, 8000)
    services.speaker_turns_rebuild(meeting=meeting)
    result = meeting_index(meeting)
    first, second, third = result.items
    assert first.item == one and [(s.start_ms, s.end_ms) for s in first.segments] == [(1000, 3000)]
    assert [(t.person.name, t.start_ms, t.end_ms) for t in first.turns] == [("Anna", 1500, 3000)]
    assert second.is_public is False and second.start_ms == 3000
    assert third.item == three and third.segments == [] and third.start_ms is None
    assert [(t.start_ms, t.end_ms) for t in result.turns_without_item] == [(500, 1000)]
    assert [segment.start_ms for _item, segment in result.segments] == [1000, 3000]


def test_the_index_of_a_long_meeting_takes_a_constant_number_of_queries(
    django_assert_max_num_queries,
):
    meeting = MeetingFactory(status=Meeting.Status.ENDED, duration_ms=10_000_000)
    meeting.recording_started_at = meeting.starts_at
    meeting.save()
    items = AgendaItemFactory.create_batch(60, meeting=meeting)
    people = PersonFactory.create_batch(20)
    offset = 0
    for number, item in enumerate(items):
        mark(meeting, Kind.ITEM, offset, agenda_item=item)
        for turn in range(7 if number < 40 else 6):
            offset += 1000
            mark(meeting, Kind.SPEAKER, offset, person=people[(number + turn) % 20])
        offset += 1000
    services.speaker_turns_rebuild(meeting=meeting)
    with django_assert_max_num_queries(4):
        result = meeting_index(meeting)
        names = [turn.person.name for entry in result.items for turn in entry.turns]
    assert len(result.items) == 60
    assert len(names) == 400
