"""Share pictures are only taken within the video (review L5): a live meeting has no length
yet, so the seconds are clamped to the live edge and no picture is kept beyond it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from samskab.webcasts import thumbnails
from samskab.webcasts.media_demo import demo_video_make
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db
STARTED = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)


def picture(client, meeting, second):
    return client.get(
        reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": second})
    )


def kept(meeting) -> list[str]:
    folder = media_folder(meeting.pk) / "thumbnails"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def live_with_video():
    """A live meeting whose recording started 12 s before now, with 12 s of our own HLS."""
    meeting = MeetingFactory()
    demo_video_make(meeting=meeting, seconds=12)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.LIVE, recording_started_at=STARTED, duration_ms=None
    )
    meeting.refresh_from_db()
    return meeting


def test_a_live_meetings_pictures_stop_at_the_live_edge(client, live_with_video, time_machine):
    time_machine.move_to(STARTED + timedelta(seconds=12), tick=False)

    for second in (100010, 100015, 100050, 999999):
        assert picture(client, live_with_video, second).status_code == 200

    assert kept(live_with_video) == ["10.jpg"]  # one picture, at the edge


def test_the_edge_moves_on_as_the_meeting_goes_on(live_with_video, time_machine):
    time_machine.move_to(STARTED + timedelta(seconds=7), tick=False)
    assert thumbnails.thumbnail_second(live_with_video, 100010) == 5
    time_machine.move_to(STARTED + timedelta(hours=1), tick=False)
    assert thumbnails.thumbnail_second(live_with_video, 100010) == 3595
    assert thumbnails.thumbnail_second(live_with_video, 600) == 600


def test_without_a_length_or_a_start_the_playlist_is_the_limit(live_with_video):
    Meeting.objects.filter(pk=live_with_video.pk).update(status=Meeting.Status.ENDED)
    live_with_video.refresh_from_db()

    assert thumbnails.playlist_seconds(live_with_video) == pytest.approx(12, abs=0.5)
    assert thumbnails.thumbnail_second(live_with_video, 100010) == 10


def test_a_meeting_without_any_video_of_ours_gets_second_zero():
    meeting = MeetingFactory(status=Meeting.Status.ENDED)
    assert thumbnails.thumbnail_second(meeting, 100010) == 0
