"""A feed into a meeting that already has a recording: refused unless staff chose to continue
the recording or to replace it; a live meeting's encoder that comes back goes on by itself."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.recordings import storage
from samskab.recordings.models import Clip
from samskab.streaming import selectors, services
from samskab.streaming.ingest import with_database
from samskab.streaming.models import MeetingStream
from samskab.streaming.tests.livehelpers import IngestThread, duration_s, encoder, wait_for
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role

# Real-time ffmpeg against `samskab ingest`: its time goes to the media, and the database
# only keeps a few rows, so once, on the production database (conftest.py).
pytestmark = pytest.mark.one_pass(on="postgres")

Choice = MeetingStream.RecordingChoice


def live_playlist(meeting: Meeting, *, ended_ago: timedelta = timedelta(minutes=1)) -> None:
    """What the ingest leaves behind: a playlist with program date-times, and its files."""
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True, exist_ok=True)
    start = timezone.now() - ended_ago - timedelta(seconds=8)
    stamp = start.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    later = (start + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    (folder / "index.m3u8").write_text(
        "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n"
        f"#EXTINF:4.0,\n#EXT-X-PROGRAM-DATE-TIME:{stamp}\nseg-00000.ts\n"
        f"#EXTINF:4.0,\n#EXT-X-PROGRAM-DATE-TIME:{later}\nseg-00001.ts\n#EXT-X-ENDLIST\n"
    )
    for name in ("seg-00000.ts", "seg-00001.ts", "recording.mkv", "poster.jpg"):
        (folder / name).write_bytes(b"x")


@pytest.mark.django_db
def test_a_live_meeting_whose_encoder_comes_back_goes_on_by_itself():
    meeting = MeetingFactory(status=Meeting.Status.LIVE)
    assert services.ingest_admit(meeting=meeting) == "new"  # nothing yet
    live_playlist(meeting)
    assert selectors.existing_recording(meeting) is None
    assert services.ingest_admit(meeting=meeting) == "new"  # prepare() then appends


@pytest.mark.django_db
def test_an_ended_meeting_refuses_until_staff_choose_and_replacing_deletes_the_old():
    meeting = MeetingFactory(status=Meeting.Status.ENDED, duration_ms=8000)
    stream = services.stream_key_ensure(meeting=meeting)
    live_playlist(meeting)
    existing = selectors.existing_recording(meeting)
    assert (existing.reason, existing.can_continue, existing.can_replace) == ("ended", True, True)
    assert services.ingest_admit(meeting=meeting) == ""
    stream.refresh_from_db()
    assert stream.refused_at is not None

    services.recording_choice_set(meeting=meeting, choice=Choice.CONTINUE)
    assert services.ingest_admit(meeting=meeting) == "continue"
    assert (media_folder(meeting.pk) / "recording.mkv").exists()

    services.recording_choice_set(meeting=meeting, choice=Choice.REPLACE)
    assert services.ingest_admit(meeting=meeting) == "replace"
    assert not media_folder(meeting.pk).exists()
    meeting.refresh_from_db()
    assert meeting.duration_ms is None and meeting.recording_started_at is None
    stream.refresh_from_db()
    assert stream.recording_choice == Choice.CONTINUE  # the new one goes on after a drop
    assert stream.refused_at is None


@pytest.mark.django_db
def test_an_old_live_recording_an_upload_and_clips_limit_the_choices():
    old = MeetingFactory(status=Meeting.Status.PLANNED)
    live_playlist(old, ended_ago=timedelta(hours=7))  # a test the day before
    assert selectors.existing_recording(old).reason == "old"
    assert services.ingest_admit(meeting=old) == ""

    uploaded = MeetingFactory(status=Meeting.Status.LIVE)
    masters = storage.masters_folder(uploaded.pk)
    masters.mkdir(parents=True)
    (masters / "master.mkv").write_bytes(b"x")
    existing = selectors.existing_recording(uploaded)
    assert (existing.reason, existing.can_continue, existing.can_replace) == (
        "uploaded",
        False,
        True,
    )
    services.recording_choice_set(meeting=uploaded, choice=Choice.CONTINUE)
    assert services.ingest_admit(meeting=uploaded) == ""  # a package cannot be continued

    Clip.objects.create(meeting=uploaded, title="Tale", start_ms=0, end_ms=1000)
    assert not selectors.existing_recording(uploaded).can_replace
    services.recording_choice_set(meeting=uploaded, choice=Choice.REPLACE)
    assert services.ingest_admit(meeting=uploaded) == ""
    assert (masters / "master.mkv").exists()


@pytest.mark.django_db
def test_the_console_offers_the_choices_and_refuses_an_impossible_one(client):
    meeting = MeetingFactory(status=Meeting.Status.ENDED)
    services.stream_key_ensure(meeting=meeting)
    client.force_login(user_with_role(Role.OPERATOR))
    console = reverse("webcasts:console", kwargs={"pk": meeting.pk})
    choose = reverse("streaming:recording_choice", kwargs={"pk": meeting.pk})
    assert "already has a recording" not in client.get(console).content.decode()

    live_playlist(meeting)
    page = client.get(console).content.decode()
    assert "The meeting already has a recording" in page
    assert "Continue the recording" in page and "Replace the recording" in page
    client.post(choose, {"choice": "continue"})
    assert MeetingStream.objects.get(meeting=meeting).recording_choice == Choice.CONTINUE

    Clip.objects.create(meeting=meeting, title="Tale", start_ms=0, end_ms=1000)
    response = client.post(choose, {"choice": "replace"}, follow=True)
    assert "not possible" in response.content.decode()
    assert MeetingStream.objects.get(meeting=meeting).recording_choice == Choice.CONTINUE
    client.force_login(user_with_role(Role.EDITOR))
    assert client.post(choose, {"choice": "replace"}).status_code == 403


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_feed_into_an_ended_meeting_is_refused_then_replaces_it_when_chosen(caplog):
    caplog.set_level(logging.INFO, logger="samskab.streaming")
    meeting = MeetingFactory(status=Meeting.Status.ENDED)
    key = services.stream_key_ensure(meeting=meeting).key
    live_playlist(meeting)
    folder = media_folder(meeting.pk)
    with IngestThread() as ingest:
        refused = encoder(f"{ingest.url}/{key}", seconds=3)
        assert refused.wait(30) != 0
        assert "the meeting already has a recording" in caplog.text
        assert (folder / "recording.mkv").read_bytes() == b"x"  # untouched

        with_database(services.recording_choice_set, meeting=meeting, choice=Choice.REPLACE)
        chamber = encoder(f"{ingest.url}/{key}", seconds=6)
        assert chamber.wait(30) == 0
        wait_for(lambda: not ingest.server.feeds)
    playlist = (folder / "index.m3u8").read_text()
    assert "seg-00000.ts" in playlist and "#EXT-X-DISCONTINUITY" not in playlist
    assert duration_s(folder / "recording.mkv") == pytest.approx(6, abs=1)
    assert not (folder / "recording-2.mkv").exists()
    meeting.refresh_from_db()
    assert meeting.recording_started_at is not None
