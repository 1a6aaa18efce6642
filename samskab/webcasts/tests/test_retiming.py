"""Bulk re-timing in the timeline editor, and times past the end of the video refused."""

import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts import services
from samskab.webcasts.media_demo import demo_video_make
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import (
    MeetingFactory,
    PersonFactory,
    mark,
    user_with_role,
)

START = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
Kind = TimelineMark.Kind
pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return user_with_role(Role.EDITOR)


def ended(duration_ms=100_000, **fields):
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED, recording_started_at=START, duration_ms=duration_ms, **fields
    )
    start = mark(meeting, Kind.MEETING_START, 0)
    marks = [
        mark(meeting, Kind.SPEAKER, offset, person=PersonFactory(name=name))
        for offset, name in [(10_000, "Anna"), (20_000, "Bo"), (30_000, "Cai")]
    ]
    end = mark(meeting, Kind.MEETING_END, 90_000)
    services.speaker_turns_rebuild(meeting=meeting)
    return meeting, start, marks, end


def offsets(meeting):
    return list(
        TimelineMark.objects.filter(meeting=meeting)
        .order_by("pk")
        .values_list("offset_ms", flat=True)
    )


def test_it_shifts_every_mark_after_a_point_and_leaves_start_and_end(editor):
    meeting, _start, _marks, _end = ended()
    moved = services.marks_shift(meeting=meeting, after_ms=15_000, delta_ms=-2_500, by=editor)
    assert len(moved) == 2
    assert offsets(meeting) == [0, 10_000, 17_500, 27_500, 90_000]
    turn_starts = sorted(meeting.speaker_turns.values_list("start_ms", flat=True))
    assert turn_starts == [10_000, 17_500, 27_500]
    assert all(m.corrected_at is not None for m in moved)


def test_a_shift_from_zero_moves_every_hand_mark_later(editor):
    meeting, _start, _marks, _end = ended()
    services.marks_shift(meeting=meeting, after_ms=0, delta_ms=1_500, by=editor)
    assert offsets(meeting) == [0, 11_500, 21_500, 31_500, 90_000]


@pytest.mark.parametrize("delta", [-10_001, 60_001])
def test_it_refuses_a_shift_that_puts_a_mark_before_0_or_past_the_end(editor, delta):
    meeting, _start, _marks, _end = ended()
    with pytest.raises(ValidationError, match="between the start and the end"):
        services.marks_shift(meeting=meeting, after_ms=0, delta_ms=delta, by=editor)
    assert offsets(meeting) == [0, 10_000, 20_000, 30_000, 90_000]


def test_removed_marks_stay_where_they_were(editor):
    meeting, _start, (anna, _bo, _cai), _end = ended()
    services.mark_remove(mark=anna, by=editor)
    services.marks_shift(meeting=meeting, after_ms=0, delta_ms=1_000, by=editor)
    assert offsets(meeting) == [0, 10_000, 21_000, 31_000, 90_000]


def test_it_says_so_when_nothing_is_after_the_point(editor):
    meeting, *_ = ended()
    with pytest.raises(ValidationError, match="no marks at or after"):
        services.marks_shift(meeting=meeting, after_ms=50_000, delta_ms=1_000, by=editor)


def test_it_refuses_a_planned_meeting_and_a_zero_shift(editor):
    with pytest.raises(ValidationError, match="broadcast"):
        services.marks_shift(meeting=MeetingFactory(), after_ms=0, delta_ms=1_000, by=editor)
    meeting, *_ = ended()
    with pytest.raises(ValidationError, match="how many seconds"):
        services.marks_shift(meeting=meeting, after_ms=0, delta_ms=0, by=editor)


def own_video(meeting: Meeting, seconds: int) -> None:
    """Our own HLS playlist of `seconds` on disk (the length is read from its #EXTINF)."""
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2"]
    lines += [f"#EXTINF:2.000,\nseg{n}.ts" for n in range(seconds // 2)]
    (folder / "index.m3u8").write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))


def test_a_time_past_the_end_of_the_video_is_refused_though_the_meeting_ended_later(editor):
    # Review finding 17: "End" was pressed at 2:03 while the video is 0:26.
    meeting, _start, (anna, _bo, _cai), end = ended(
        duration_ms=123_000, video_kind=Meeting.VideoKind.UPLOAD
    )
    own_video(meeting, 26)
    with pytest.raises(ValidationError, match="0:00:26"):
        services.mark_correct(mark=anna, offset_ms=40_000, by=editor)
    with pytest.raises(ValidationError, match="0:00:26"):
        services.mark_add_at_offset(meeting=meeting, kind=Kind.BREAK, offset_ms=27_000, by=editor)
    with pytest.raises(ValidationError, match="within the recording"):
        services.mark_correct(mark=end, offset_ms=60_000, by=editor)
    services.mark_correct(mark=anna, offset_ms=25_000, by=editor)
    assert TimelineMark.objects.get(pk=anna.pk).offset_ms == 25_000


# --- the timeline editor's page ---


def url(name, meeting):
    return reverse(f"webcasts:{name}", kwargs={"pk": meeting.pk})


def test_an_editor_moves_the_marks_after_a_point_from_the_page(client, editor):
    meeting, _start, _marks, _end = ended()
    client.force_login(editor)

    response = client.post(url("timeline_shift", meeting), {"after": "0:15", "seconds": "-2.5"})

    assert response.status_code == 302
    assert offsets(meeting) == [0, 10_000, 17_500, 27_500, 90_000]
    page = client.get(response["Location"]).content.decode()
    assert "Moved 2 marks by -2.5 seconds." in page


def test_a_shift_past_the_end_is_refused_on_the_page_and_moves_nothing(client, editor):
    meeting, *_ = ended()
    client.force_login(editor)

    response = client.post(
        url("timeline_shift", meeting), {"after": "0", "seconds": "70"}, follow=True
    )

    assert "between the start and the end" in response.content.decode()
    assert offsets(meeting) == [0, 10_000, 20_000, 30_000, 90_000]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.MODERATOR])
def test_only_editors_move_marks_in_bulk(client, role):
    meeting, *_ = ended()
    client.force_login(user_with_role(role))
    response = client.post(url("timeline_shift", meeting), {"after": "0", "seconds": "1"})
    assert response.status_code == 403
    assert offsets(meeting) == [0, 10_000, 20_000, 30_000, 90_000]


def test_the_timeline_shows_pictures_of_the_recording_and_a_tick_per_mark(
    client, editor, django_capture_on_commit_callbacks
):
    meeting, *_ = ended(duration_ms=None)
    demo_video_make(meeting=meeting, seconds=12)  # real ffmpeg: 12 s of our own HLS
    client.force_login(editor)

    # The worker makes the pictures (tests run tasks at once), asked by the first visit.
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url("timeline", meeting)).content.decode()
    assert "being prepared" in page
    page = client.get(url("timeline", meeting)).content.decode()

    pictures = re.findall(rf'src="/media/webcasts/{meeting.pk}/timeline/(\d+)\.jpg"', page)
    assert pictures == ["0", "5", "10"]
    picture = client.get(f"/media/webcasts/{meeting.pk}/timeline/5.jpg")
    assert picture.status_code == 200
    assert b"".join(picture.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    ticks = re.findall(r'class="timeline-marker [^"]*" data-percent="([\d.]+)"', page)
    assert ticks == ["0.000", "11.111", "22.222", "33.333", "100.000"]  # end mark at 90 s


def test_a_closed_session_s_marks_stay_where_the_slate_is(editor):
    meeting, *_ = ended()
    closed = mark(meeting, Kind.CLOSED_START, 40_000)
    services.marks_shift(meeting=meeting, after_ms=0, delta_ms=1_000, by=editor)
    closed.refresh_from_db()
    assert closed.offset_ms == 40_000
