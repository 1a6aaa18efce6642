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


# --- Smart cut --------------------------------------------------------------------------

TRACE = """  Duration: 01:00:00.02, start: 0.000000, bitrate: 1106 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, progressive), 1280x720 [SAR 1:1 DAR 16:9], 1000 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
[trace_headers @ 0x1] 8           profile_idc                                          01100100 = 100
[trace_headers @ 0x1] 24          level_idc                                            00011111 = 31
[trace_headers @ 0x1] 32          seq_parameter_set_id                                        1 = 0
[trace_headers @ 0x1] 33          chroma_format_idc                                         010 = 1
[trace_headers @ 0x1] 36          bit_depth_luma_minus8                                       1 = 0
[trace_headers @ 0x1] 67          frame_mbs_only_flag                                         1 = 1
[trace_headers @ 0x1] 8           profile_idc                                          01001101 = 77
"""  # noqa: E501 - ffmpeg's lines as printed


def test_the_encoded_pieces_match_the_sources_profile_level_and_timescale():
    found = commands.video_format_parse(TRACE)
    assert found is not None and (found.profile_idc, found.level_idc) == (100, 31)
    assert found.timescale == 12800
    x264 = found.x264_args()
    assert x264[x264.index("-profile:v") + 1] == "high"
    assert x264[x264.index("-level:v") + 1] == "3.1"
    assert x264[x264.index("-x264-params") + 1] == "sps-id=1"  # not the source's id 0


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("01100100 = 100", "01111010 = 122"),  # High 4:2:2
        ("1 = 1\n", "1 = 0\n"),  # interlaced (frame_mbs_only_flag 0)
        ("yuv420p(tv", "yuv420p10le(tv"),
    ],
)
def test_what_x264_cannot_match_falls_back(change, value):
    found = commands.video_format_parse(TRACE.replace(change, value, 1))
    assert found is not None and found.x264_args() is None


def test_a_picture_that_is_not_h264_has_no_format():
    assert commands.video_format_parse(TRACE.replace("Video: h264", "Video: mpeg4")) is None


def packets(*, keys_every: int = 25, frames: int = 300, delay: int = 2) -> str:
    """framecrc of a 25 fps stream (tb 1/1000) with B-frame delay, in decode order."""
    lines = ["#tb 0: 1/1000", "#media_type 0: video"]
    for n in range(frames):
        flags = "" if n % keys_every == 0 else ", F=0x0"
        lines.append(f"0, {(n - delay) * 40}, {n * 40}, 40, 100, 0x0{flags}")
    return "\n".join(lines) + "\n"


def test_packets_read_times_and_key_frames():
    found = commands.packets_parse(packets(frames=3))
    assert [(p.dts, p.pts, p.key) for p in found] == [
        (-0.08, 0.0, True),
        (-0.04, 0.04, False),
        (0.0, 0.08, False),
    ]


def test_the_plan_encodes_the_partial_groups_and_copies_the_rest():
    plan = commands.smart_cut_plan(commands.packets_parse(packets()), start_ms=2530, end_ms=8130)
    assert plan is not None
    # The frame on screen at 2.53 s is the one shown from 2.52 s; 12 frames to the key at 3 s.
    assert (plan.first_frame_s, plan.head) == (2.52, 12)
    assert (plan.copy_from_s, plan.copy_until_dts_s) == (3.0, 7.92)  # the 8 s key's dts
    assert (plan.tail_s, plan.tail) == (8.0, 4)  # 8.00 to 8.12, shown before 8.13
    assert len(plan.frame_times) == 12 + 125 + 4
    assert abs(plan.duration_s - 5.64) < 1e-9


def test_no_plan_inside_one_group_or_across_an_open_one():
    assert commands.smart_cut_plan(commands.packets_parse(packets()), start_ms=2100,
                                   end_ms=2900) is None  # fmt: skip
    # A frame decoded after the key frame at 3 s but shown before it: an open group.
    open_gop = packets() + "0, 2930, 2960, 40, 100, 0x0, F=0x0\n"
    assert (
        commands.smart_cut_plan(commands.packets_parse(open_gop), start_ms=2500, end_ms=8100)
        is None
    )


def test_the_copy_list_rounds_towards_the_key_frames():
    plan = commands.smart_cut_plan(commands.packets_parse(packets()), start_ms=2530, end_ms=8130)
    text = commands.smart_cut_copy_list("/m/it's.mkv", plan)
    assert "file '/m/it'\\''s.mkv'" in text
    assert "inpoint 3000000us" in text and "outpoint 7920000us" in text


def test_a_gap_or_a_missing_frame_in_the_result_is_named():
    plan = commands.smart_cut_plan(commands.packets_parse(packets()), start_ms=0, end_ms=4000)
    good = commands.packets_parse(packets(frames=100))
    assert commands.timing_problem(plan, good) == ""
    assert "pictures, not 100" in commands.timing_problem(plan, good[:-1])
    shifted = [*good[:50], *(commands.Packet(p.dts, p.pts + 0.04, 0.04, p.key) for p in good[50:])]
    assert "shows at 2.040 s the picture due at 2.000 s" in commands.timing_problem(plan, shifted)
