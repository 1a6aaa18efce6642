"""Polls, surveys and feedback share MeetingAttached: an agenda item of another meeting is
refused, an item alone brings its meeting, and deleting follows each model's rule."""

import pytest
from django.core.exceptions import ValidationError

from samskab.core.attached import MeetingAttached
from samskab.feedback.models import FeedbackMessage
from samskab.polls.models import Poll
from samskab.polls.tests.factories import AgendaItemFactory, MeetingFactory
from samskab.surveys.models import Survey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Poll, Survey, FeedbackMessage])
def test_all_three_are_meeting_attached(model):
    assert issubclass(model, MeetingAttached)


@pytest.mark.parametrize(
    "make",
    [
        lambda **at: Poll(title="Grønt torv?", **at),
        lambda **at: Survey(title_da="Trafik", slug="trafik", **at),
    ],
)
def test_an_agenda_item_of_another_meeting_is_refused(make):
    item = AgendaItemFactory()
    other = MeetingFactory()
    with pytest.raises(ValidationError) as refusal:
        make(meeting=other, agenda_item=item).full_clean()
    assert refusal.value.message_dict["agenda_item"] == [
        "The agenda item belongs to another meeting."
    ]
    alone = make(agenda_item=item)
    alone.full_clean()
    assert alone.meeting_id == item.meeting_id  # the item brings its meeting


def test_reverse_names_and_deletion_stay_as_they_were():
    item = AgendaItemFactory()
    meeting = item.meeting
    poll = Poll.objects.create(title="Grønt torv?", meeting=meeting, agenda_item=item)
    survey = Survey.objects.create(title_da="Trafik", slug="trafik", meeting=meeting)
    message = FeedbackMessage.objects.create(meeting=meeting, message="Tak for mødet")
    assert list(meeting.polls.all()) == [poll] and list(item.polls.all()) == [poll]
    assert list(meeting.surveys.all()) == [survey]
    fields = {field.name for field in FeedbackMessage._meta.get_fields()}
    assert "meeting" in fields and "agenda_item" not in fields  # about the meeting
    meeting.delete()
    assert not Poll.objects.exists()  # a vox pop goes with its meeting
    survey.refresh_from_db()
    message.refresh_from_db()
    assert survey.meeting_id is None and message.meeting_id is None
