"""The archive index is derived from the marks alone (no database)."""

from samskab.webcasts.index import (
    BREAK,
    ITEM,
    MEETING_END,
    MEETING_START,
    SLIDE,
    SPEAKER,
    Mark,
    Segment,
    Turn,
    derive,
    end_of_meeting,
    state_now,
)


def marks(*rows):
    return [Mark(number, *row) for number, row in enumerate(rows, start=1)]


def test_an_item_mark_opens_a_segment_that_the_next_item_closes():
    index = derive(marks((MEETING_START, 0), (ITEM, 1000, 11), (ITEM, 5000, 12)), end_ms=9000)
    assert index.segments == (Segment(11, 1000, 5000), Segment(12, 5000, 9000))


def test_a_speaker_turn_runs_until_the_next_speaker_and_belongs_to_the_running_item():
    index = derive(
        marks((ITEM, 0, 11), (SPEAKER, 100, None, 7), (SPEAKER, 400, None, 8)), end_ms=1000
    )
    assert index.turns == (Turn(2, 7, 11, 100, 400), Turn(3, 8, 11, 400, 1000))


def test_a_new_item_ends_the_running_turn():
    index = derive(marks((ITEM, 0, 11), (SPEAKER, 100, None, 7), (ITEM, 300, 12)), end_ms=500)
    assert index.turns == (Turn(2, 7, 11, 100, 300),)


def test_a_break_ends_the_turn_and_the_item_resumes_with_the_next_speaker():
    index = derive(
        marks(
            (ITEM, 0, 11),
            (SPEAKER, 100, None, 7),
            (BREAK, 300),
            (SPEAKER, 900, None, 8),
        ),
        end_ms=1000,
    )
    assert index.segments == (Segment(11, 0, 300), Segment(11, 900, 1000))
    assert index.turns == (Turn(2, 7, 11, 100, 300), Turn(4, 8, 11, 900, 1000))


def test_meeting_end_ends_everything_and_later_marks_are_ignored():
    index = derive(
        marks((ITEM, 0, 11), (SPEAKER, 100, None, 7), (MEETING_END, 500), (ITEM, 600, 12)),
        end_ms=9000,
    )
    assert index.segments == (Segment(11, 0, 500),)
    assert index.turns == (Turn(2, 7, 11, 100, 500),)


def test_marks_set_out_of_order_are_indexed_in_time_order():
    index = derive(marks((ITEM, 500, 12), (ITEM, 0, 11)), end_ms=1000)
    assert index.segments == (Segment(11, 0, 500), Segment(12, 500, 1000))


def test_open_segments_stay_open_while_the_meeting_is_live():
    index = derive(marks((ITEM, 0, 11), (SPEAKER, 10, None, 7)), end_ms=None)
    assert index.segments == (Segment(11, 0, None),)
    assert index.turns[0].end_ms is None


def test_a_speaker_before_any_item_belongs_to_no_item():
    index = derive(marks((MEETING_START, 0), (SPEAKER, 10, None, 7)), end_ms=20)
    assert index.turns == (Turn(2, 7, None, 10, 20),)
    assert index.segments == ()


def test_the_state_shows_the_running_item_speaker_and_slide():
    state = state_now(marks((ITEM, 0, 11), (SPEAKER, 10, None, 7), (SLIDE, 20, None, None, 3)))
    assert (state.item_id, state.person_id, state.slide_id) == (11, 7, 3)
    assert state.started and not state.on_break and not state.ended


def test_a_new_item_clears_the_speaker_and_slide_of_the_state():
    state = state_now(
        marks((ITEM, 0, 11), (SPEAKER, 10, None, 7), (SLIDE, 20, None, None, 3), (ITEM, 30, 12))
    )
    assert (state.item_id, state.person_id, state.slide_id) == (12, None, None)


def test_the_state_during_a_break_keeps_the_item_but_no_speaker():
    state = state_now(marks((ITEM, 0, 11), (SPEAKER, 10, None, 7), (BREAK, 20)))
    assert state.on_break and state.item_id == 11 and state.person_id is None


def test_the_state_after_the_end_is_empty():
    state = state_now(marks((ITEM, 0, 11), (MEETING_END, 20)))
    assert state.ended and state.item_id is None


def test_the_end_of_the_meeting_is_its_end_mark():
    assert end_of_meeting(marks((ITEM, 0, 11), (MEETING_END, 20))) == 20
    assert end_of_meeting(marks((ITEM, 0, 11))) is None


def test_marks_at_the_same_offset_leave_no_empty_segment_or_turn():
    index = derive(
        marks(
            (ITEM, 100, 11),
            (ITEM, 100, 12),
            (SPEAKER, 200, None, 7),
            (SPEAKER, 200, None, 8),
        ),
        end_ms=1000,
    )
    assert index.segments == (Segment(12, 100, 1000),)
    assert index.turns == (Turn(4, 8, 12, 200, 1000),)
