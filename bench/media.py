"""media: packaging a 60-minute 720p recording to HLS, and cutting a clip from it.

    make bench-media            # python -m bench.media [--minutes 60]

Generates the recording once (lavfi testsrc2 and a tone, 720p25, H.264 at about 1 Mbit/s,
AAC) and keeps it under var/bench/media/, so reruns are quick: one generated minute is
looped to the length with "-c copy". Then, with ffmpeg from the imageio-ffmpeg wheel:

- ours: Samskab's whole upload task (services.upload_package) on a fresh database: probe,
  HLS packaging by copying with progress stored in the database, the original kept as the
  master, the package installed, and the first share pictures made;
- plain: ffmpeg alone remuxing the same file to HLS with "-c copy" (the engine's speed);
- clip: services.clip_render of a 60-second clip from the middle, off the key frames at both
  ends: a smart cut (the partial groups of pictures encoded, the rest copied);
- clip_full: the same clip encoded whole (the fallback, and what clips cost before), same run;
- clip_playlist: the clip's instant playlist over the meeting's segments.

Ends with one JSON line: seconds (ours), plain_seconds, overhead_ratio (ours / plain),
clip_seconds, clip_method, clip_full_seconds, clip_speedup (full / smart), clip_playlist_ms,
and the file's size. Record it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CACHE = PROJECT_DIR / "var" / "bench" / "media"


def ffmpeg(arguments: list[str]) -> None:
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    subprocess.run([*command, *arguments], check=True)


def recording(minutes: int) -> Path:
    target = CACHE / f"meeting-{minutes}min-720p.mp4"
    if target.is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    minute = CACHE / "minute-720p.mp4"
    if not minute.is_file():
        ffmpeg(
            [
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=60",
                "-f", "lavfi", "-i", "sine=frequency=440:beep_factor=4:duration=60",
                "-c:v", "libx264", "-preset", "veryfast", "-b:v", "1000k", "-maxrate", "1200k",
                "-bufsize", "2000k", "-g", "50", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "96k", "-shortest", "-y", str(minute),
            ]
        )  # fmt: skip
    partial = target.with_suffix(".part.mp4")
    ffmpeg(
        [
            "-stream_loop", str(minutes - 1), "-i", str(minute), "-c", "copy",
            "-movflags", "+faststart", "-y", str(partial),
        ]
    )  # fmt: skip
    partial.replace(target)
    return target


@contextlib.contextmanager
def capture_log(name: str):
    """The messages logged under `name` while the block runs."""
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Keep()
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    arguments = parser.parse_args()
    source = recording(arguments.minutes)

    work = Path(tempfile.mkdtemp(prefix="run-", dir=CACHE))
    os.environ["SAMSKAB_VAR_DIR"] = str(work)
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from datetime import UTC, datetime

    from samskab.media.commands import clip_mp4_args, plain_copy_args
    from samskab.recordings import engine, services, storage
    from samskab.recordings.models import Clip, Job, Upload
    from samskab.webcasts.models import Body, Meeting

    body = Body.objects.create(name="Byrådet", slug="byraadet", kind=Body.Kind.COUNCIL)
    meeting = Meeting.objects.create(
        body=body, title="Byrådsmøde", starts_at=datetime(2026, 3, 4, 17, tzinfo=UTC),
        status=Meeting.Status.ENDED,
    )  # fmt: skip

    # Plain ffmpeg first (it also warms the page cache for both runs).
    plain_folder = work / "plain"
    plain_folder.mkdir()
    ffmpeg(plain_copy_args(str(source), str(plain_folder / "index.m3u8")))
    started = time.perf_counter()
    shutil.rmtree(plain_folder)
    plain_folder.mkdir()
    ffmpeg(plain_copy_args(str(source), str(plain_folder / "index.m3u8")))
    plain_seconds = time.perf_counter() - started
    shutil.rmtree(plain_folder)

    staged = services.incoming_path(".mp4")
    try:
        os.link(source, staged)  # the upload as it lands on disk; not timed
    except OSError:
        shutil.copyfile(source, staged)
    started = time.perf_counter()
    found = engine.probe(staged)
    assert found is not None and found.hls_compatible
    upload = Upload.objects.create(
        meeting=meeting, original_name=source.name, size=staged.stat().st_size,
        staged_path=str(staged), container=found.container, video_codec=found.video_codec,
        audio_codec=found.audio_codec or "", duration_ms=found.duration_ms, copied=True,
    )  # fmt: skip
    services.upload_package(upload)
    seconds = time.perf_counter() - started
    upload.refresh_from_db()
    assert upload.status == Job.DONE, upload.error
    meeting.refresh_from_db()

    # From the middle, off the key frames (one every 2 s) at both ends, as a speaker turn is.
    start_ms = (meeting.duration_ms or 0) // 2 + 1320
    clip = Clip.objects.create(
        meeting=meeting, title="Klip", start_ms=start_ms, end_ms=start_ms + 60000
    )
    started = time.perf_counter()
    with capture_log("samskab.recordings.services") as messages:
        services.clip_render(clip)
    clip_seconds = time.perf_counter() - started
    clip_method = "smart" if any("(smart)" in m for m in messages) else "encoded"
    clip.refresh_from_db()
    assert clip.mp4_status == Job.DONE, clip.mp4_error
    clip_length = (engine.probe(storage.clip_mp4_path(meeting.pk, clip.pk)).duration_ms or 0) / 1000
    full = work / "full.mp4"
    started = time.perf_counter()
    engine.run_job(
        clip_mp4_args(str(storage.master_file(meeting)), str(full), start_ms=start_ms,
                      end_ms=start_ms + 60000)
    )  # fmt: skip
    clip_full_seconds = time.perf_counter() - started
    started = time.perf_counter()
    services.clip_playlist(clip)
    clip_playlist_ms = (time.perf_counter() - started) * 1000

    result = {
        "seconds": round(seconds, 2),
        "plain_seconds": round(plain_seconds, 2),
        "overhead_ratio": round(seconds / plain_seconds, 2),
        "clip_seconds": round(clip_seconds, 2),
        "clip_method": clip_method,
        "clip_full_seconds": round(clip_full_seconds, 2),
        "clip_speedup": round(clip_full_seconds / clip_seconds, 1),
        "clip_length_s": round(clip_length, 2),
        "clip_playlist_ms": round(clip_playlist_ms, 2),
        "recording_minutes": round((meeting.duration_ms or 0) / 60000, 1),
        "file_mb": round(source.stat().st_size / 1e6, 1),
        "segments": len(list(storage.playlist_path(meeting.pk).parent.glob("*.ts"))),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.python_version()}",
    }
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
