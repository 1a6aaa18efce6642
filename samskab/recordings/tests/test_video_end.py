"""Clips and redactions stop where the video does, not where "End" was pressed (review
finding 17: the operator ended the meeting at 2:03 while the video was 0:26 long)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.recordings import services
from samskab.recordings.models import Clip, Job, Redaction
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.selectors import video_end_ms
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db

STARTED = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)


def recorded_for_26_seconds_and_ended_at_2_03() -> Meeting:
    meeting = MeetingFactory(
        starts_at=STARTED,
        recording_started_at=STARTED,
        status=Meeting.Status.ENDED,
        video_kind=Meeting.VideoKind.UPLOAD,
        duration_ms=123_000,
    )
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True)
    (folder / PLAYLIST).write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:13\n"
        "#EXTINF:13.0,\nsegment00000.ts\n#EXTINF:13.0,\nsegment00001.ts\n#EXT-X-ENDLIST\n"
    )
    for name in ("segment00000.ts", "segment00001.ts"):
        (folder / name).write_bytes(b"video")
    TimelineMark.objects.create(
        meeting=meeting, kind=TimelineMark.Kind.MEETING_START, at=STARTED, offset_ms=0
    )
    return meeting


def test_the_video_s_end_is_its_playlist_s_length():
    meeting = recorded_for_26_seconds_and_ended_at_2_03()
    assert video_end_ms(meeting) == 26_000
    meeting.status = Meeting.Status.LIVE
    assert video_end_ms(meeting) is None


def test_a_clip_or_redaction_past_the_video_s_end_is_refused():
    meeting = recorded_for_26_seconds_and_ended_at_2_03()
    editor = user_with_role(Role.EDITOR)
    with pytest.raises(ValidationError, match="within the recording"):
        services.clip_create(meeting=meeting, start_ms=20_000, end_ms=60_000, title="x", by=editor)
    with pytest.raises(ValidationError, match="within the recording"):
        services.redaction_request(
            meeting=meeting, start_ms=20_000, end_ms=60_000, mode="cut", reason="x", by=editor
        )
    assert not Clip.objects.exists() and not Redaction.objects.exists()
    clip = services.clip_create(
        meeting=meeting, start_ms=20_000, end_ms=26_000, title="Sidste ord", by=editor
    )
    assert clip.end_ms == 26_000


def test_an_item_to_clip_ends_with_the_video(client):
    meeting = recorded_for_26_seconds_and_ended_at_2_03()
    item = AgendaItemFactory(meeting=meeting, number="2", title="Meddelelser")
    TimelineMark.objects.create(
        meeting=meeting, kind=TimelineMark.Kind.ITEM, agenda_item=item, at=STARTED, offset_ms=5_000
    )
    TimelineMark.objects.create(
        meeting=meeting, kind=TimelineMark.Kind.MEETING_END, at=STARTED, offset_ms=123_000
    )
    client.force_login(user_with_role(Role.EDITOR))
    page = client.get(reverse("recordings:clip_new", args=[meeting.pk])).content.decode()
    assert "(0:05–0:26)" in page and "2:03" not in page


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (Job.WAITING, "is being made"),
        (Job.RUNNING, "is being made"),
        (Job.FAILED, "could not be made"),
        (Job.DONE, "is being made"),  # done, but its file is not there
    ],
)
def test_the_download_is_offered_only_when_the_mp4_is_done(client, status, says):
    meeting = recorded_for_26_seconds_and_ended_at_2_03()
    Meeting.objects.filter(pk=meeting.pk).update(is_published=True)
    clip = Clip.objects.create(
        meeting=meeting, start_ms=0, end_ms=10_000, title="Klip", mp4_status=status
    )
    page = client.get(clip.get_absolute_url()).content.decode()
    assert reverse("recordings:clip_download", args=[meeting.pk, clip.pk]) not in page
    assert says in page
