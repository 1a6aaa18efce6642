"""Opening and closing a vox pop are marks on the meeting's timeline, which the timeline
editor moves and removes; the poll's offsets follow its marks."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.polls.models import Poll
from samskab.polls.selectors import polls_of_meeting_page
from samskab.polls.services import poll_close, poll_open
from samskab.polls.tests.factories import MeetingFactory, make_poll
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.ui_helpers import staff

pytestmark = pytest.mark.django_db
Kind = TimelineMark.Kind


def recorded_vox_pop():
    meeting = MeetingFactory(recording_started_at=timezone.now() - timedelta(minutes=10))
    poll = make_poll(meeting=meeting, status=Poll.Status.DRAFT, title="Skal torvet være grønt?")
    return meeting, poll


def test_opening_and_closing_set_marks_at_the_poll_s_offsets():
    meeting, poll = recorded_vox_pop()
    version = Meeting.objects.get(pk=meeting.pk).updated_at
    poll = poll_close(poll=poll_open(poll=poll))
    opened = meeting.marks.get(kind=Kind.POLL_OPEN)
    closed = meeting.marks.get(kind=Kind.POLL_CLOSE)
    assert opened.poll == poll and closed.poll == poll
    poll.refresh_from_db()
    assert 599_000 <= opened.offset_ms <= 601_000
    assert (poll.opened_offset_ms, poll.closed_offset_ms) == (opened.offset_ms, closed.offset_ms)
    assert Meeting.objects.get(pk=meeting.pk).updated_at > version  # the player's cache moves on


def test_a_vox_pop_outside_a_recording_sets_no_mark():
    poll = make_poll(meeting=MeetingFactory(), status=Poll.Status.DRAFT)
    poll_open(poll=poll)
    assert not TimelineMark.objects.exists()
    assert Poll.objects.get(pk=poll.pk).opened_offset_ms is None


def test_the_timeline_editor_moves_and_removes_a_vox_pop_s_mark(client):
    meeting, poll = recorded_vox_pop()
    poll_close(poll=poll_open(poll=poll))
    opened = meeting.marks.get(kind=Kind.POLL_OPEN)
    client.force_login(staff(Role.EDITOR))
    page = client.get(reverse("webcasts:timeline", args=[meeting.pk])).content.decode()
    assert "vox pop opens: Skal torvet være grønt?" in page

    client.post(
        reverse("webcasts:timeline_correct", args=[meeting.pk, opened.pk]), {"offset": "0:02:00"}
    )
    poll.refresh_from_db()
    assert poll.opened_offset_ms == 120_000
    assert list(polls_of_meeting_page(meeting)) == [poll]  # on the archive's list

    client.post(reverse("webcasts:timeline_remove", args=[meeting.pk, opened.pk]))
    poll.refresh_from_db()
    assert poll.opened_offset_ms is None and poll.closed_offset_ms is not None
    assert list(polls_of_meeting_page(meeting)) == []  # no longer on the timeline


def test_the_migration_turns_existing_offsets_into_marks():
    meeting, poll = recorded_vox_pop()
    Poll.objects.filter(pk=poll.pk).update(
        status=Poll.Status.CLOSED, opened_offset_ms=95_000, closed_offset_ms=215_000
    )
    migration = importlib.import_module("samskab.webcasts.migrations.0003_poll_marks")
    migration.marks_from_poll_offsets(apps, None)
    marks = {mark.kind: mark for mark in meeting.marks.all()}
    assert marks[Kind.POLL_OPEN].offset_ms == 95_000 and marks[Kind.POLL_OPEN].poll == poll
    assert marks[Kind.POLL_CLOSE].offset_ms == 215_000
    expected = meeting.recording_started_at + timedelta(seconds=95)
    assert marks[Kind.POLL_OPEN].at == expected
