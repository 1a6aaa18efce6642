"""Going live, setting, undoing and correcting marks; the index follows every change."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError

from samskab.accounts.roles import Role
from samskab.webcasts import services
from samskab.webcasts.models import Meeting, SpeakerTurn, TimelineMark
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    SlideFactory,
    live_meeting,
    mark,
    user_with_role,
)

START = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
Kind = TimelineMark.Kind
pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return user_with_role(Role.OPERATOR)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def turns(meeting):
    return list(
        SpeakerTurn.objects.filter(meeting=meeting)
        .order_by("start_ms")
        .values_list("person__name", "agenda_item__number", "start_ms", "end_ms")
    )


@time_machine.travel(START, tick=False)
def test_going_live_fixes_offset_zero_and_sets_a_start_mark(operator):
    meeting = MeetingFactory()
    start = services.meeting_go_live(meeting=meeting, by=operator)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE
    assert meeting.recording_started_at == START
    assert (start.kind, start.offset_ms, start.created_by) == (Kind.MEETING_START, 0, operator)


@time_machine.travel(at(100), tick=False)
def test_going_live_keeps_a_recording_start_that_was_set_earlier(operator):
    meeting = MeetingFactory(recording_started_at=START)
    start = services.meeting_go_live(meeting=meeting, by=operator, at=at(90))
    assert start.offset_ms == 90_000
    assert Meeting.objects.get(pk=meeting.pk).recording_started_at == START


@pytest.mark.parametrize("status", [Meeting.Status.ENDED, Meeting.Status.CANCELLED])
def test_it_refuses_to_take_an_ended_or_cancelled_meeting_live(operator, status):
    meeting = MeetingFactory(status=status)
    with pytest.raises(ValidationError, match="Only a planned meeting"):
        services.meeting_go_live(meeting=meeting, by=operator, at=START)
    assert not meeting.marks.exists()


def test_it_refuses_to_take_a_live_meeting_live_twice(operator):
    meeting = live_meeting(started=START)
    with pytest.raises(ValidationError, match="already live"):
        services.meeting_go_live(meeting=meeting, by=operator, at=at(5))
    assert meeting.marks.count() == 1


@time_machine.travel(at(120), tick=False)
def test_a_live_mark_gets_its_offset_from_the_recording_start(operator):
    meeting = live_meeting(started=START)
    item = AgendaItemFactory(meeting=meeting)
    added = services.mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=item, by=operator)
    assert added.offset_ms == 120_000
    assert added.at == at(120)


def test_speaker_turns_are_rebuilt_after_each_mark(operator):
    meeting = live_meeting(started=START)
    item = AgendaItemFactory(meeting=meeting, number="1")
    anna, bo = PersonFactory(name="Anna"), PersonFactory(name="Bo")
    with time_machine.travel(at(100), tick=False):
        services.mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=item, by=operator, at=at(10))
        services.mark_add(meeting=meeting, kind=Kind.SPEAKER, person=anna, by=operator, at=at(20))
        assert turns(meeting) == [("Anna", "1", 20_000, None)]
        services.mark_add(meeting=meeting, kind=Kind.SPEAKER, person=bo, by=operator, at=at(50))
    assert turns(meeting) == [("Anna", "1", 20_000, 50_000), ("Bo", "1", 50_000, None)]
    with time_machine.travel(at(200), tick=False):
        services.meeting_end(meeting=meeting, by=operator)
    assert turns(meeting)[-1] == ("Bo", "1", 50_000, 200_000)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.duration_ms == 200_000


def test_it_publishes_the_new_state_to_the_meeting_channel_after_commit(operator):
    meeting = live_meeting(started=START)
    item = AgendaItemFactory(meeting=meeting, number="3", title="Skolestruktur")
    anna = PersonFactory(name="Anna", party="Venstre", role="Formand")
    mark(meeting, Kind.ITEM, 1000, agenda_item=item)
    with (
        time_machine.travel(at(100), tick=False),
        mock.patch("samskab.live.publish_on_commit") as publish,
    ):
        added = services.mark_add(meeting=meeting, kind=Kind.SPEAKER, person=anna, by=operator)
    channel, event, data = publish.call_args.args
    assert (channel, event) == (f"meeting:{meeting.pk}", "mark")
    assert data["item"] == {
        "id": item.pk,
        "number": "3",
        "title": "Skolestruktur",
        "is_public": True,
    }
    assert data["speaker"] == {"id": anna.pk, "name": "Anna", "party": "Venstre", "role": "Formand"}
    assert data["offset_ms"] == 100_000
    assert data["mark"] == {"id": added.pk, "kind": "speaker", "offset_ms": 100_000}


@pytest.mark.parametrize(
    "status", [Meeting.Status.PLANNED, Meeting.Status.ENDED, Meeting.Status.CANCELLED]
)
def test_it_refuses_live_marks_on_a_meeting_that_is_not_live(operator, status):
    meeting = MeetingFactory(status=status, recording_started_at=START)
    with pytest.raises(ValidationError, match="only while the meeting is live"):
        services.mark_add(meeting=meeting, kind=Kind.BREAK, by=operator, at=at(5))
    assert not meeting.marks.exists()


def test_it_refuses_an_agenda_item_of_another_meeting(operator):
    meeting = live_meeting(started=START)
    foreign = AgendaItemFactory()
    with time_machine.travel(at(10)), pytest.raises(ValidationError, match="another meeting"):
        services.mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=foreign, by=operator)
    assert meeting.marks.count() == 1


def test_it_refuses_a_slide_of_another_meeting(operator):
    meeting = live_meeting(started=START)
    foreign = SlideFactory()
    with time_machine.travel(at(10)), pytest.raises(ValidationError, match="another meeting"):
        services.mark_add(meeting=meeting, kind=Kind.SLIDE, slide=foreign, by=operator)


def test_it_refuses_an_item_mark_without_an_item_and_a_speaker_mark_without_a_person(operator):
    meeting = live_meeting(started=START)
    with time_machine.travel(at(10)):
        with pytest.raises(ValidationError, match="agenda item"):
            services.mark_add(meeting=meeting, kind=Kind.ITEM, by=operator)
        with pytest.raises(ValidationError, match="person"):
            services.mark_add(meeting=meeting, kind=Kind.SPEAKER, by=operator)
        with pytest.raises(ValidationError, match="Unknown kind"):
            services.mark_add(meeting=meeting, kind=Kind.MEETING_END, by=operator)
    assert meeting.marks.count() == 1


def test_it_refuses_a_mark_before_the_recording_started(operator):
    meeting = live_meeting(started=START)
    with time_machine.travel(at(10)), pytest.raises(ValidationError, match="before the record"):
        services.mark_add(meeting=meeting, kind=Kind.BREAK, by=operator, at=at(-5))


def test_it_refuses_a_mark_from_the_future(operator):
    meeting = live_meeting(started=START)
    with time_machine.travel(at(10)), pytest.raises(ValidationError, match="future"):
        services.mark_add(meeting=meeting, kind=Kind.BREAK, by=operator, at=at(600))


def test_a_closed_item_is_accepted_and_the_state_withholds_its_speaker(operator):
    meeting = live_meeting(started=START)
    closed = AgendaItemFactory(meeting=meeting, is_public=False)
    with time_machine.travel(at(10)):
        services.mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=closed, by=operator)
        services.mark_add(meeting=meeting, kind=Kind.SPEAKER, person=PersonFactory(), by=operator)
    from samskab.webcasts.selectors import meeting_state

    state = meeting_state(meeting)
    assert state["item"]["is_public"] is False
    assert state["speaker"] is None


def test_undo_takes_back_the_operators_own_last_mark(operator):
    meeting = live_meeting(started=START)
    colleague = user_with_role(Role.OPERATOR)
    anna, bo = PersonFactory(name="Anna"), PersonFactory(name="Bo")
    with time_machine.travel(at(100)):
        services.mark_add(meeting=meeting, kind=Kind.SPEAKER, person=anna, by=operator, at=at(10))
        wrong = services.mark_add(
            meeting=meeting, kind=Kind.SPEAKER, person=bo, by=operator, at=at(20)
        )
        services.mark_add(meeting=meeting, kind=Kind.BREAK, by=colleague, at=at(30))
        undone = services.mark_undo(meeting=meeting, by=operator)
    assert undone == wrong
    assert TimelineMark.objects.get(pk=wrong.pk).is_undone
    assert turns(meeting) == [("Anna", None, 10_000, 30_000)]


def test_undo_with_nothing_to_undo_says_so(operator):
    meeting = live_meeting(started=START)
    with pytest.raises(ValidationError, match="no mark to undo"):
        services.mark_undo(meeting=meeting, by=operator)


def test_an_editor_adds_a_forgotten_mark_after_the_meeting():
    editor = user_with_role(Role.EDITOR)
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED, recording_started_at=START, duration_ms=600_000
    )
    item = AgendaItemFactory(meeting=meeting, number="1")
    mark(meeting, Kind.MEETING_START, 0)
    mark(meeting, Kind.SPEAKER, 5_000, person=PersonFactory(name="Anna"))
    mark(meeting, Kind.MEETING_END, 500_000)
    services.mark_add_at_offset(
        meeting=meeting, kind=Kind.ITEM, agenda_item=item, offset_ms=1_000, by=editor
    )
    assert turns(meeting) == [("Anna", "1", 5_000, 500_000)]


@pytest.mark.parametrize("offset", [-1, 500_001])
def test_it_refuses_a_mark_outside_the_meeting(offset):
    editor = user_with_role(Role.EDITOR)
    meeting = MeetingFactory(status=Meeting.Status.ENDED, recording_started_at=START)
    mark(meeting, Kind.MEETING_END, 500_000)
    with pytest.raises(ValidationError, match="between the start and the end"):
        services.mark_add_at_offset(meeting=meeting, kind=Kind.BREAK, offset_ms=offset, by=editor)
    assert meeting.marks.count() == 1


def test_it_refuses_marks_after_the_fact_on_a_planned_meeting():
    meeting = MeetingFactory()
    with pytest.raises(ValidationError, match="broadcast"):
        services.mark_add_at_offset(
            meeting=meeting, kind=Kind.BREAK, offset_ms=0, by=user_with_role(Role.EDITOR)
        )


def ended_meeting_with_two_speakers():
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED, recording_started_at=START, duration_ms=100_000
    )
    mark(meeting, Kind.MEETING_START, 0)
    anna = mark(meeting, Kind.SPEAKER, 10_000, person=PersonFactory(name="Anna"))
    bo = mark(meeting, Kind.SPEAKER, 20_000, person=PersonFactory(name="Bo"))
    end = mark(meeting, Kind.MEETING_END, 90_000)
    services.speaker_turns_rebuild(meeting=meeting)
    return meeting, anna, bo, end


def test_a_correction_moves_the_turns_and_may_change_the_order():
    meeting, anna, _bo, _end = ended_meeting_with_two_speakers()
    services.mark_correct(mark=anna, offset_ms=30_000, by=user_with_role(Role.EDITOR))
    assert turns(meeting) == [("Bo", None, 20_000, 30_000), ("Anna", None, 30_000, 90_000)]
    anna.refresh_from_db()
    assert anna.at == START + timedelta(seconds=30)
    assert anna.corrected_at is not None


@pytest.mark.parametrize("offset", [-5, 95_000])
def test_a_correction_may_not_move_a_mark_outside_the_meeting(offset):
    _meeting, anna, _bo, _end = ended_meeting_with_two_speakers()
    with pytest.raises(ValidationError, match="between the start and the end"):
        services.mark_correct(mark=anna, offset_ms=offset, by=user_with_role(Role.EDITOR))
    assert TimelineMark.objects.get(pk=anna.pk).offset_ms == 10_000


def test_the_end_may_not_move_before_the_last_mark():
    meeting, _anna, _bo, end = ended_meeting_with_two_speakers()
    editor = user_with_role(Role.EDITOR)
    with pytest.raises(ValidationError, match="before the last mark"):
        services.mark_correct(mark=end, offset_ms=15_000, by=editor)
    services.mark_correct(mark=end, offset_ms=95_000, by=editor)
    assert turns(meeting)[-1] == ("Bo", None, 20_000, 95_000)


def test_the_end_may_not_move_beyond_the_recording():
    _meeting, _anna, _bo, end = ended_meeting_with_two_speakers()
    with pytest.raises(ValidationError, match="within the recording"):
        services.mark_correct(mark=end, offset_ms=100_001, by=user_with_role(Role.EDITOR))


def test_a_removed_mark_leaves_the_index_and_cannot_be_moved():
    meeting, anna, _bo, _end = ended_meeting_with_two_speakers()
    editor = user_with_role(Role.EDITOR)
    services.mark_remove(mark=anna, by=editor)
    assert turns(meeting) == [("Bo", None, 20_000, 90_000)]
    with pytest.raises(ValidationError, match="removed mark"):
        services.mark_correct(mark=anna, offset_ms=1, by=editor)


def test_the_start_and_end_cannot_be_removed():
    _meeting, _anna, _bo, end = ended_meeting_with_two_speakers()
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.mark_remove(mark=end, by=user_with_role(Role.EDITOR))


def test_it_refuses_to_end_a_meeting_that_is_not_live(operator):
    with pytest.raises(ValidationError, match="Only a live meeting"):
        services.meeting_end(meeting=MeetingFactory(), by=operator)


def test_it_refuses_to_go_live_in_the_future(operator):
    meeting = MeetingFactory()
    with time_machine.travel(START), pytest.raises(ValidationError, match="future"):
        services.meeting_go_live(meeting=meeting, by=operator, at=at(3600))
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED


def test_a_meeting_set_live_by_hand_without_a_recording_start_gets_a_clear_answer(operator):
    meeting = MeetingFactory(status=Meeting.Status.LIVE)
    with pytest.raises(ValidationError, match="no recording start"):
        services.mark_add(meeting=meeting, kind=Kind.BREAK, by=operator)
