"""The archive's ffmpeg command lines and parsers (pure: no Django, no ffmpeg run)."""

import pytest

from samskab.media import commands

HEADER = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 01:02:03.45, start: 0.000000, bitrate: 347 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 320x240
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono
"""


def test_probe_reads_container_duration_and_codecs():
    found = commands.probe_parse(HEADER)
    assert found == commands.Probe("mov,mp4,m4a,3gp,3g2,mj2", 3723450, "h264", "aac")
    assert found.is_archive_video and found.hls_compatible


def test_probe_of_text_is_nothing():
    text = "[in#0] moov atom not found\nError opening input: Invalid data found"
    assert commands.probe_parse(text) is None


def test_probe_of_an_mp3_with_cover_art_is_not_a_video():
    header = (
        "Input #0, mp3, from 'a.mp3':\n  Duration: 00:03:00.00, start: 0\n"
        "  Stream #0:0: Audio: mp3, 44100 Hz\n  Stream #0:1: Video: mjpeg (Baseline)\n"
    )
    found = commands.probe_parse(header)
    assert found is not None and not found.is_archive_video


def test_other_codecs_are_not_copied():
    found = commands.Probe("matroska,webm", 1000, "vp9", "opus")
    assert found.is_archive_video and not found.hls_compatible


def test_progress_reads_microseconds():
    block = "frame=10\nout_time_us=2500000\nout_time_ms=2500000\nprogress=continue\n"
    assert commands.progress_parse(block) == 2500
    assert commands.progress_parse("out_time_us=N/A\nprogress=continue\n") is None


def test_packaging_copies_or_encodes():
    copy = commands.hls_package_args("in.mp4", "/out", copy=True)
    assert copy[copy.index("-c") : copy.index("-c") + 2] == ["-c", "copy"]
    assert "libx264" not in copy and copy[-1] == "/out/index.m3u8"
    assert "-progress" in copy
    encode = commands.hls_package_args("in.mov", "/out", copy=False)
    assert "libx264" in encode and "aac" in encode


def test_clip_seeks_before_the_input_and_encodes():
    args = commands.clip_mp4_args("m.mkv", "c.mp4", start_ms=61500, end_ms=75000)
    assert args[:4] == ["-ss", "61.500", "-i", "m.mkv"]
    assert args[args.index("-t") + 1] == "13.500"
    assert "libx264" in args


def test_redaction_filters():
    cut = commands.redact_args("m", "o.mkv", ranges=[(60000, 120000)], mode="cut")
    video = cut[cut.index("-filter:v") + 1]
    assert "not(between(t,60.000,120.000))" in video and "setpts" in video
    black = commands.redact_args("m", "o.mkv", ranges=[(60000, 120000)], mode="black")
    assert "drawbox" in black[black.index("-filter:v") + 1]
    assert "volume=0" in black[black.index("-filter:a") + 1]
    with pytest.raises(ValueError):
        commands.redact_args("m", "o", ranges=[(1, 2)], mode="blur")


PLAYLIST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXTINF:4.000000,
segment00000.ts
#EXTINF:4.000000,
segment00001.ts
#EXTINF:4.000000,
segment00002.ts
#EXTINF:2.500000,
segment00003.ts
#EXT-X-ENDLIST
"""


def test_clip_playlist_references_the_covering_segments():
    segments = commands.hls_segments(PLAYLIST)
    assert [s.start_ms for s in segments] == [0, 4000, 8000, 12000]
    text, offset = commands.clip_playlist(segments, start_ms=5000, end_ms=9000, prefix="/m/")
    assert "/m/segment00001.ts" in text and "/m/segment00002.ts" in text
    assert "segment00000" not in text and "segment00003" not in text
    assert offset == 1000
    assert text.rstrip().endswith("#EXT-X-ENDLIST")
    with pytest.raises(ValueError):
        commands.clip_playlist(segments, start_ms=20000, end_ms=21000)
