"""The demo's presentation: built from the demo meeting's clips, which get their MP4 (real
ffmpeg) so that exporting the demo presentation carries its videos."""

import io
import json
import zipfile

import pytest

from samskab.presentations import package
from samskab.presentations.demo import SLUG, presentations_demo_part
from samskab.presentations.models import Presentation, Step
from samskab.recordings import engine, storage
from samskab.recordings.models import Clip, Job
from samskab.webcasts import media_demo
from samskab.webcasts.ffmpeg import run_ffmpeg
from samskab.webcasts.recording import PLAYLIST

pytestmark = pytest.mark.django_db


def _small_package(work, seconds: int) -> None:
    """The demo's recording as media_demo makes it (its length, 2 s pictures groups, 4 s
    segments), at a quarter of its picture size so the test stays quick."""
    run_ffmpeg(
        [
            "-f", "lavfi", "-i", f"testsrc=size=160x90:rate=10:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-g", "20", "-keyint_min", "20", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "32k", "-ac", "1",
            "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(work / "segment%03d.ts"), str(work / PLAYLIST),
        ]
    )  # fmt: skip


def test_the_demo_presentation_s_clips_have_mp4_so_its_export_carries_the_videos(
    settings, monkeypatch
):
    from samskab.webcasts.demo import demo_load

    settings.DEMO_VIDEO_CACHE = ""
    monkeypatch.setattr(media_demo, "_package", _small_package)
    demo_load()
    media_demo.demo_media_load()

    lines = presentations_demo_part({})
    presentation = Presentation.objects.get(slug=SLUG)
    assert presentation.is_published
    video_steps = list(presentation.steps.filter(kind=Step.Kind.VIDEO).order_by("position"))
    assert len(video_steps) >= 2
    clips = [Clip.objects.get(pk=step.clip_id) for step in video_steps]
    assert all(clip.mp4_status == Job.DONE for clip in clips), [c.mp4_error for c in clips]
    assert any(line.startswith(f"Demo clips' MP4 made: {len(clips)} in") for line in lines)
    for clip in clips:
        found = engine.probe(storage.clip_mp4_path(clip.meeting_id, clip.pk))
        assert found is not None and found.video_codec == "h264"
        assert abs(found.duration_ms - clip.duration_ms) < 1500, (found.duration_ms, clip)

    data = package.package_export(presentation)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        videos = [f["path"] for f in manifest["files"] if f["kind"] == "video"]
        assert len(videos) == len(video_steps)
        assert all(archive.getinfo(path).file_size > 10_000 for path in videos)
    exported = [s for s in manifest["steps"] if s["kind"] == "video"]
    assert [s.get("video") for s in exported] == videos

    # Loading the demo again makes nothing again.
    assert presentations_demo_part({}) == []
