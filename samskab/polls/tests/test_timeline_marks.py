"""Opening and closing a vox pop are marks on the meeting's timeline, which the timeline
editor moves and removes; the poll's offsets are its marks'."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.polls.models import Poll
from samskab.polls.selectors import polls_of_meeting_page
from samskab.polls.services import poll_close, poll_open
from samskab.polls.tests.factories import MeetingFactory, make_poll
from samskab.polls.timeline import with_offsets
from samskab.streaming.services import ingest_anchor
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.ui_helpers import staff

pytestmark = pytest.mark.django_db
Kind = TimelineMark.Kind


def offsets(poll) -> tuple[int | None, int | None]:
    poll = with_offsets(Poll.objects.filter(pk=poll.pk)).get()
    return poll.opened_offset_ms, poll.closed_offset_ms


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
    assert 599_000 <= opened.offset_ms <= 601_000
    assert offsets(poll) == (opened.offset_ms, closed.offset_ms)
    assert Meeting.objects.get(pk=meeting.pk).updated_at > version  # the player's cache moves on


def test_a_vox_pop_outside_a_recording_sets_no_mark():
    poll = make_poll(meeting=MeetingFactory(), status=Poll.Status.DRAFT)
    poll_open(poll=poll)
    assert not TimelineMark.objects.exists()
    assert offsets(poll) == (None, None)


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
    assert offsets(poll)[0] == 120_000
    assert list(polls_of_meeting_page(meeting)) == [poll]  # on the archive's list

    client.post(reverse("webcasts:timeline_remove", args=[meeting.pk, opened.pk]))
    assert offsets(poll)[0] is None and offsets(poll)[1] is not None
    # Still on the archive's list, at the start, since it closed during the recording.
    assert list(polls_of_meeting_page(meeting)) == [poll]
    closed = meeting.marks.get(kind=Kind.POLL_CLOSE)
    client.post(reverse("webcasts:timeline_remove", args=[meeting.pk, closed.pk]))
    assert list(polls_of_meeting_page(meeting)) == []  # no longer on the timeline


def test_a_vox_pop_opened_before_the_recording_is_on_the_archive_at_its_start():
    """The operator opened it before going live (no recording yet, so no opening mark);
    it closed during the meeting: the archive shows it at 0:00 with its result."""
    meeting = MeetingFactory()
    poll = poll_open(poll=make_poll(meeting=meeting, status=Poll.Status.DRAFT))
    Meeting.objects.filter(pk=meeting.pk).update(
        recording_started_at=timezone.now() - timedelta(minutes=3), status="live"
    )
    poll_close(poll=poll)
    assert offsets(poll)[0] is None and 179_000 <= offsets(poll)[1] <= 181_000
    assert list(polls_of_meeting_page(meeting)) == [poll]
    from samskab.polls.tests.test_views import a_request, render_include

    html = render_include("polls/voxpop.html", a_request(), Meeting.objects.get(pk=meeting.pk))
    assert f"{meeting.get_absolute_url()}?t=0" in html and ">0:00</a>" in html


def test_the_offsets_move_with_the_marks_when_the_video_starts_later():
    """The operator went live before the encoder's first segment: the ingest moves every
    mark to the video's real start (a bulk update, no signal), and the vox pop's offsets
    are those marks', not a copy left behind."""
    meeting, poll = recorded_vox_pop()
    poll_open(poll=poll)
    before = offsets(poll)[0]
    meeting.refresh_from_db()
    ingest_anchor(meeting=meeting, started_at=meeting.recording_started_at + timedelta(seconds=30))
    assert offsets(poll)[0] == meeting.marks.get(kind=Kind.POLL_OPEN).offset_ms
    assert before - 31_000 <= offsets(poll)[0] <= before - 29_000
