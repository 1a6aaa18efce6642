"""The demo's generated recording, and the cache that spares encoding it again."""

import pytest

from samskab.webcasts import media_demo
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.tests.factories import MeetingFactory


@pytest.mark.django_db
def test_a_second_demo_site_copies_the_cached_video(settings, tmp_path, monkeypatch):
    settings.DEMO_VIDEO_CACHE = str(tmp_path / "cache")
    encoded = []
    package = media_demo._package
    monkeypatch.setattr(
        media_demo,
        "_package",
        lambda work, seconds: (encoded.append(seconds), package(work, seconds)),
    )
    first, second = MeetingFactory.create_batch(2, status=Meeting.Status.ENDED)

    assert media_demo.demo_video_make(meeting=first, seconds=4)
    assert media_demo.demo_video_make(meeting=second, seconds=4)

    assert encoded == [4]  # ffmpeg ran once; the second meeting got a copy
    assert (tmp_path / "cache" / "testsrc-4s" / PLAYLIST).is_file()
    for meeting in (first, second):
        assert meeting.duration_ms == 4000
        assert "#EXT-X-ENDLIST" in (media_folder(meeting.pk) / PLAYLIST).read_text()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["testsrc-4s"]


@pytest.mark.django_db
def test_without_a_cache_the_video_is_encoded_in_place(settings, tmp_path):
    settings.DEMO_VIDEO_CACHE = ""
    meeting = MeetingFactory(status=Meeting.Status.ENDED)

    assert media_demo.demo_video_make(meeting=meeting, seconds=4)
    assert not media_demo.demo_video_make(meeting=meeting, seconds=4)  # already there

    assert list(media_folder(meeting.pk).glob("segment*.ts"))
    assert not (tmp_path / "cache").exists()
