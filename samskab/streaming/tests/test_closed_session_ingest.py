"""Real parts: the operator's closed session reaches `samskab ingest` within a second; a feed
that arrives during it shows only the slate, publicly and on the restream, until the
operator opens the meeting again."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from samskab.streaming import services
from samskab.streaming.ingest import with_database
from samskab.streaming.models import Destination
from samskab.streaming.tests.closedhelpers import RtmpSink, child_command_lines, frame_colours
from samskab.streaming.tests.factories import destination
from samskab.streaming.tests.livehelpers import IngestThread, wait_for
from samskab.webcasts.ffmpeg import ffmpeg_path
from samskab.webcasts.recording import media_folder
from samskab.webcasts.services import closed_session_set
from samskab.webcasts.tests.factories import live_meeting

# Real-time ffmpeg against `samskab ingest`: its time goes to the media, and the database
# only keeps a few rows, so once, on the production database (conftest.py).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]


def red_encoder(url: str, *, seconds: int) -> subprocess.Popen[bytes]:
    """The chamber's camera, filming something red."""
    return subprocess.Popen(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "color=c=0xe00000:size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-g", "25",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_feed_during_a_closed_session_shows_only_the_slate_until_it_opens(tmp_path):
    # Real ffmpeg runs in real time: the meeting went live a moment ago.
    meeting = live_meeting(started=timezone.now() - timedelta(seconds=1))
    key = services.stream_key_ensure(meeting=meeting).key
    closed_session_set(meeting=meeting, closed=True, by=None)
    folder = media_folder(meeting.pk)
    with RtmpSink() as youtube, IngestThread(segment_s=1, closed_poll_s=0.1) as ingest:
        destination(
            name="YouTube",
            kind=Destination.Kind.YOUTUBE,
            meeting=meeting,
            server_url=youtube.url,
            key="yt-secret-1234",
        )
        chamber = red_encoder(f"{ingest.url}/{key}", seconds=12)
        wait_for(lambda: len(list(folder.glob("seg-*.ts"))) >= 3, timeout=30)
        feed = ingest.server.feeds[meeting.pk]
        assert feed.fanout.closed
        # Security L8: the restream's key is on no command line, the slate's or any other.
        during = child_command_lines()
        assert any("slate.mp4" in line and "pipe:1" in line for line in during), during
        with_database(closed_session_set, meeting=meeting, closed=False, by=None)
        wait_for(lambda: not feed.fanout.closed, timeout=5)
        wait_for(lambda: youtube.names == ["live/yt-secret-1234"] * 2, timeout=10)
        wait_for(lambda: any("recording.mkv" in line for line in child_command_lines()))
        after = child_command_lines()
        assert not any("yt-secret-1234" in line for line in during + after)
        assert chamber.wait(40) == 0
        wait_for(lambda: meeting.pk not in ingest.server.feeds, timeout=40)
        wait_for(lambda: youtube.received and all(got.ended for got in youtube.received))

    shown = frame_colours(folder / "index.m3u8")
    order = [colour for i, colour in enumerate(shown) if i == 0 or shown[i - 1] != colour]
    assert order == ["slate", "red"]  # the chamber is public only after it opened
    recordings = sorted(folder.glob("recording*.mkv"))
    assert [path.name for path in recordings] == ["recording.mkv"]
    assert set(frame_colours(recordings[0])) == {"red"}
    restreamed = []
    for got in youtube.received:
        target = tmp_path / f"restream-{len(restreamed)}.flv"
        target.write_bytes(bytes(got.data))
        restreamed.append(set(frame_colours(target)))
    assert restreamed == [{"slate"}, {"red"}]
