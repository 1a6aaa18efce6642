"""The clip MP4's smart cut with real ffmpeg on a generated recording whose every frame has
its own brightness and whose sound beeps at the start of every second."""

from __future__ import annotations

from pathlib import Path

import pytest

from samskab.media import commands
from samskab.recordings import clipping, engine, storage
from samskab.recordings.tests import media

FPS = 25
START_MS, END_MS = 2520, 8130  # frames 63 to 203 (shown from 8.12 s); a key frame each second


def clip_of(source: Path, tmp_path: Path, start_ms: int = START_MS, end_ms: int = END_MS):
    target = tmp_path / "clip.mp4"
    how = clipping.clip_mp4_make(source, target, start_ms=start_ms, end_ms=end_ms)
    return how, target


def test_a_clip_off_the_key_frames_is_cut_smartly_to_the_frame(numbered_video, tmp_path):
    how, clip = clip_of(numbered_video, tmp_path)
    assert how == clipping.SMART
    assert not list((storage.private_root() / "work").iterdir())  # the pieces are gone
    found = engine.probe(clip)
    assert found is not None and (found.video_codec, found.audio_codec) == ("h264", "aac")
    assert abs(found.duration_ms - (END_MS - START_MS)) <= 100
    assert media.decode_errors(clip) == ""
    # The first frame is the one on screen at the in-point (frame 63), not a neighbour.
    first = media.frame_brightness(clip, 0.0)
    assert abs(first - media.numbered_brightness(63)) < 4
    assert abs(first - media.numbered_brightness(62)) > 20
    assert abs(first - media.numbered_brightness(64)) > 20
    # Either side of the joins: the last encoded frame before the first copied key frame
    # (frame 74 | 75 at 3 s), and the last copied before the encoded tail (199 | 200 at 8 s).
    for frame in (74, 75, 140, 199, 200, 202):
        at = (frame - 63) / FPS - 0.01  # the seek shows the first frame at or after it
        assert abs(media.frame_brightness(clip, at) - media.numbered_brightness(frame)) < 4, frame


def test_the_whole_groups_of_pictures_are_copied_not_encoded(numbered_video, tmp_path):
    _how, clip = clip_of(numbered_video, tmp_path)
    source_packets = set(media.packet_hashes(numbered_video))
    clip_packets = media.packet_hashes(clip)
    copied = [h for h in clip_packets if h in source_packets]
    # 5 s between the key frames at 3 s and 8 s: 125 pictures, of which the 5 key frames
    # carry their parameter sets in band and so differ from the stored ones.
    assert len(copied) >= 115
    assert len(clip_packets) == (END_MS - START_MS + 39) // 40


def test_the_sound_stays_in_time_with_the_picture(numbered_video, tmp_path):
    _how, clip = clip_of(numbered_video, tmp_path)
    # The source beeps at every whole second; the clip starts at 2.52 s, frame 63's time.
    onsets = media.sound_onsets(clip)
    expected = [second - 2.52 for second in range(3, 9)]
    assert len(onsets) == len(expected)
    assert all(abs(got - want) < 0.025 for got, want in zip(onsets, expected, strict=True))


def test_a_clip_inside_one_group_of_pictures_is_encoded_whole(numbered_video, tmp_path):
    how, clip = clip_of(numbered_video, tmp_path, 2200, 2900)
    assert how == clipping.ENCODED
    assert abs(engine.probe(clip).duration_ms - 700) <= 100
    assert abs(media.frame_brightness(clip, 0.0) - media.numbered_brightness(55)) < 4


def test_a_source_that_is_not_h264_is_encoded_whole(mpeg4_video, tmp_path):
    how, clip = clip_of(mpeg4_video, tmp_path, 1000, 4000)
    assert how == clipping.ENCODED
    assert abs(engine.probe(clip).duration_ms - 3000) <= 100


@pytest.mark.parametrize("start_ms", [0, 3000])
def test_a_clip_from_a_key_frame_copies_from_its_first_frame(numbered_video, tmp_path, start_ms):
    how, clip = clip_of(numbered_video, tmp_path, start_ms, start_ms + 4000)
    assert how == clipping.SMART
    frame = start_ms * FPS // 1000
    assert abs(media.frame_brightness(clip, 0.0) - media.numbered_brightness(frame)) < 4
    assert abs(engine.probe(clip).duration_ms - 4000) <= 100
    plan = commands.smart_cut_plan(
        commands.packets_parse(
            engine.capture(
                commands.packets_args(
                    str(numbered_video), start_ms=start_ms, end_ms=start_ms + 4000
                )
            )
        ),
        start_ms=start_ms,
        end_ms=start_ms + 4000,
    )
    assert plan is not None and (plan.head, plan.tail) == (0, 0)
