"""Real parts: an encoder pushes a test pattern to `samskab ingest` on loopback; our HLS, the
recording and two stand-in destinations receive it, a refusing destination changes nothing,
a wrong key is refused, and nothing is re-encoded."""

import logging

import pytest
from django.utils import timezone

from samskab.streaming import services
from samskab.streaming.ingest import first_program_date_time, with_database
from samskab.streaming.models import Destination, DestinationStatus
from samskab.streaming.tests.factories import destination
from samskab.streaming.tests.livehelpers import (
    IngestThread,
    duration_s,
    encoder,
    free_port,
    receiver,
    wait_for,
)
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.recording import media_folder
from samskab.webcasts.services import mark_add, meeting_go_live
from samskab.webcasts.tests.factories import MeetingFactory, PersonFactory

# Real-time ffmpeg against `samskab ingest`: its time goes to the media, and the database
# only keeps a few rows, so once, on the production database (conftest.py).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]

SECONDS = 8


def test_a_chamber_feed_reaches_our_player_the_archive_and_two_destinations(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="samskab.streaming")
    meeting = MeetingFactory()
    person = PersonFactory()
    key = services.stream_key_ensure(meeting=meeting).key
    youtube_port, facebook_port, dead_port = free_port(), free_port(), free_port()
    youtube = destination(
        name="YouTube",
        kind=Destination.Kind.YOUTUBE,
        meeting=meeting,
        server_url=f"rtmp://127.0.0.1:{youtube_port}/live2",
        key="yt-secret-1234",
    )
    # Facebook needs RTMPS; its stand-in is plain RTMP, set on the body for all its meetings.
    facebook = destination(
        name="Facebook",
        kind=Destination.Kind.RTMP,
        body=meeting.body,
        server_url=f"rtmp://127.0.0.1:{facebook_port}/rtmp",
        key="fb-secret-5678",
    )
    refusing = destination(
        name="Nobody listens",
        kind=Destination.Kind.RTMP,
        meeting=meeting,
        server_url=f"rtmp://127.0.0.1:{dead_port}/live",
        key="dead-secret-9999",
    )
    youtube_file, facebook_file = tmp_path / "youtube.flv", tmp_path / "facebook.flv"
    receivers = [
        receiver(f"rtmp://127.0.0.1:{youtube_port}/live2/yt-secret-1234", youtube_file),
        receiver(f"rtmp://127.0.0.1:{facebook_port}/rtmp/fb-secret-5678", facebook_file),
    ]
    folder = media_folder(meeting.pk)

    with IngestThread() as ingest:
        wrong = encoder(f"{ingest.url}/not-the-key", seconds=2)
        assert wrong.wait(20) != 0
        assert "Refused a stream from 127.0.0.1" in caplog.text

        chamber = encoder(f"{ingest.url}/{key}", seconds=SECONDS)
        wait_for(lambda: first_program_date_time(folder / "index.m3u8"))
        wait_for(lambda: with_database(recording_started, pk=meeting.pk))
        with_database(meeting.refresh_from_db)
        with_database(meeting_go_live, meeting=meeting, by=None)
        wait_for(lambda: with_database(live_destinations, meeting=meeting) == 2)
        # A few seconds into the feed, someone speaks.
        wait_for(lambda: ingest.server.feeds[meeting.pk].fanout.media_seconds >= 4)
        marked_at = timezone.now()
        mark = with_database(
            mark_add, meeting=meeting, kind=TimelineMark.Kind.SPEAKER, person=person, by=None
        )
        assert chamber.wait(30) == 0, chamber.stderr.read()
        for process in receivers:
            assert process.wait(30) == 0, process.stderr.read()
        wait_for(lambda: not ingest.server.feeds)
    feed = ingest.server.finished[-1]

    # Our own player: an EVENT playlist with program date-times that ends as the archive.
    playlist = (folder / "index.m3u8").read_text()
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in playlist
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
    assert len(segments) >= 2
    assert playlist.count("#EXT-X-PROGRAM-DATE-TIME:") == len(segments)
    assert all((folder / name).is_file() for name in segments)
    listed = sum(
        float(line.split(":")[1].rstrip(","))
        for line in playlist.splitlines()
        if line.startswith("#EXTINF")
    )
    assert listed == pytest.approx(SECONDS, abs=1)
    assert duration_s(folder / "recording.mkv") == pytest.approx(SECONDS, abs=0.5)
    assert (folder / "poster.jpg").stat().st_size > 1000

    # YouTube and Facebook got the whole meeting although one destination refused.
    assert duration_s(youtube_file) == pytest.approx(SECONDS, abs=1)
    assert duration_s(facebook_file) == pytest.approx(SECONDS, abs=1)
    states = {s.destination_id: s for s in DestinationStatus.objects.filter(meeting=meeting)}
    assert states[youtube.pk].state == DestinationStatus.State.STOPPED
    assert states[facebook.pk].state == DestinationStatus.State.STOPPED
    assert states[refusing.pk].state == DestinationStatus.State.FAILED
    assert "Connection refused" in states[refusing.pk].reason
    assert "dead-secret" not in states[refusing.pk].reason

    # The meeting's video is ours; offset 0 is the first segment's program date-time.
    meeting.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD
    assert meeting.recording_started_at == first_program_date_time(folder / "index.m3u8")
    first_frame = feed.fanout.first_arrival
    assert abs(meeting.recording_started_at.timestamp() - first_frame) < 1.0
    # The operator's mark lands where the video was when it was set.
    mark.refresh_from_db()
    expected_ms = (marked_at - meeting.recording_started_at).total_seconds() * 1000
    assert mark.offset_ms == pytest.approx(expected_ms, abs=50)
    into_feed_ms = (marked_at.timestamp() - first_frame) * 1000
    assert mark.offset_ms == pytest.approx(into_feed_ms, abs=1000)

    # No re-encoding: all ffmpeg processes and our threads use a fraction of real time.
    cpu = feed.fanout.cpu_seconds + ingest.loop_cpu_seconds
    media = feed.fanout.media_seconds
    assert media == pytest.approx(SECONDS, abs=0.5)
    print(f"ingest CPU {cpu:.2f} s for {media:.1f} s of media: ratio {cpu / media:.3f}")
    assert cpu < 0.3 * media


# The ingest's threads write while the test reads: SQLite's shared in-memory test database
# refuses instead of waiting, so the test's own database calls wait it out too.
def recording_started(*, pk: int):
    return Meeting.objects.get(pk=pk).recording_started_at


def live_destinations(*, meeting: Meeting) -> int:
    return DestinationStatus.objects.filter(
        meeting=meeting, state=DestinationStatus.State.LIVE
    ).count()
