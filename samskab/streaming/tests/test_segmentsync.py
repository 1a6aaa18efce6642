"""The live ingest's segments reach object storage as they close (moto's S3 server on
loopback; the segments are real MPEG-TS from ffmpeg)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samskab.core import objectstore
from samskab.media import commands
from samskab.streaming import segmentsync
from samskab.streaming.ingest import POSTER, recording_name
from samskab.webcasts.ffmpeg import run_ffmpeg
from samskab.webcasts.recording import PLAYLIST, media_folder

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def packaged_hls(tmp_path_factory) -> Path:
    """Six seconds of test pattern as 2-second HLS segments."""
    folder = tmp_path_factory.mktemp("hls")
    run_ffmpeg(
        [
            "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=6",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-f", "hls",
            "-hls_time", "2", "-hls_list_size", "0",
            "-hls_segment_filename", str(folder / "seg-%05d.ts"), str(folder / PLAYLIST),
        ]
    )  # fmt: skip
    return folder


def live_playlist(segments: list[commands.HlsSegment], count: int) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2"]
    for each in segments[:count]:
        lines += [f"#EXTINF:{each.duration_ms / 1000:.3f},", each.uri]
    return "\n".join(lines) + "\n"


def test_segments_go_up_as_they_close_and_the_playlist_after_them(s3_media, packaged_hls):
    segments = commands.hls_segments((packaged_hls / PLAYLIST).read_text())
    assert len(segments) == 3
    folder = media_folder(7)
    folder.mkdir(parents=True)
    uploader = segmentsync.SegmentUploader(folder, playlist=PLAYLIST, poster=POSTER)
    prefix = "media/webcasts/7/"
    # ffmpeg is writing the first segment: the playlist does not name it yet.
    shutil.copy(packaged_hls / segments[0].uri, folder / segments[0].uri)
    assert uploader.sync() == 0
    assert s3_media.listed(prefix=prefix) == []
    # It closes: the playlist names it. Segment first, then the playlist.
    (folder / PLAYLIST).write_text(live_playlist(segments, 1))
    shutil.copy(packaged_hls / segments[1].uri, folder / segments[1].uri)  # being written
    assert uploader.sync() == 2
    assert s3_media.listed(prefix=prefix) == [f"{prefix}index.m3u8", f"{prefix}seg-00000.ts"]
    stored = s3_media.client.get_object(Bucket=s3_media.bucket, Key=f"{prefix}index.m3u8")
    assert stored["Body"].read().decode() == live_playlist(segments, 1)
    assert stored["CacheControl"] == "no-cache"
    head = s3_media.head(f"{prefix}seg-00000.ts")
    assert head["CacheControl"] == "public, max-age=604800, immutable"
    assert head["ContentLength"] == (folder / segments[0].uri).stat().st_size
    # Nothing new: nothing sent.
    assert uploader.sync() == 0
    # The rest, and at the end the ingest's recording.
    shutil.copy(packaged_hls / segments[2].uri, folder / segments[2].uri)
    (folder / PLAYLIST).write_text(live_playlist(segments, 3))
    (folder / "recording.mkv").write_bytes(b"\x1a\x45\xdf\xa3" + b"\0" * 100)
    assert uploader.stop() == 4
    assert s3_media.listed(prefix=prefix) == [
        f"{prefix}index.m3u8",
        f"{prefix}recording.mkv",
        *(f"{prefix}{s.uri}" for s in segments),
    ]


def test_a_store_that_fails_is_tried_again_and_the_feed_goes_on(s3_media, settings, packaged_hls):
    segments = commands.hls_segments((packaged_hls / PLAYLIST).read_text())
    folder = media_folder(8)
    folder.mkdir(parents=True)
    shutil.copy(packaged_hls / segments[0].uri, folder / segments[0].uri)
    (folder / PLAYLIST).write_text(live_playlist(segments, 1))
    uploader = segmentsync.SegmentUploader(folder, playlist=PLAYLIST, poster=POSTER)
    working = settings.STORAGES
    broken = dict(working)
    broken["default"] = {
        **working["default"],
        "OPTIONS": {**working["default"]["OPTIONS"], "bucket_name": "not-there"},
    }
    settings.STORAGES = broken
    assert uploader.sync() == 0 and uploader.failures == 1
    settings.STORAGES = working
    assert uploader.sync() == 2
    assert "media/webcasts/8/seg-00000.ts" in s3_media.listed(prefix="media/webcasts/8/")


def test_a_standby_host_continues_the_stored_playlist(s3_media, packaged_hls):
    segments = commands.hls_segments((packaged_hls / PLAYLIST).read_text())
    folder = media_folder(9)
    folder.mkdir(parents=True)
    for each in segments[:2]:
        shutil.copy(packaged_hls / each.uri, folder / each.uri)
    (folder / PLAYLIST).write_text(live_playlist(segments, 2))
    (folder / "recording.mkv").write_bytes(b"first feed")
    segmentsync.SegmentUploader(folder, playlist=PLAYLIST, poster=POSTER).stop()
    shutil.rmtree(folder)  # the first ingest host is gone
    assert segmentsync.resume(folder, PLAYLIST)
    assert (folder / PLAYLIST).read_text() == live_playlist(segments, 2)
    # Its recording is in the store: the new feed records beside it, not over it.
    assert recording_name(folder) == "recording-2.mkv"


def test_on_the_local_disk_nothing_is_sent(packaged_hls, tmp_path):
    folder = media_folder(10)
    folder.mkdir(parents=True)
    shutil.copy(packaged_hls / PLAYLIST, folder / PLAYLIST)
    uploader = segmentsync.SegmentUploader(folder, playlist=PLAYLIST, poster=POSTER)
    uploader.start()
    assert not objectstore.enabled() and uploader.stop() == 0
    assert segmentsync.resume(folder, PLAYLIST)
    assert recording_name(folder) == "recording.mkv"
