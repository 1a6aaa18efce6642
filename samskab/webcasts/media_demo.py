"""A generated recording for the demo: a test picture with a tone, packaged as HLS.

Uses the ffmpeg binary shipped inside the imageio-ffmpeg wheel, so nothing needs to be
installed on the machine. Idempotent: a meeting that already has its package is left alone.
"""

from __future__ import annotations

import shutil

from django.db import transaction

from samskab.webcasts.ffmpeg import run_ffmpeg
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder

def demo_video_make(*, meeting: Meeting, seconds: int = 60) -> bool:
    """Give the meeting a generated HLS recording of `seconds`; False if it already had one."""
    folder = media_folder(meeting.pk)
    playlist = folder / PLAYLIST
    if playlist.is_file():
        created = False
    else:
        work = folder.with_name(f"{meeting.pk}.partial")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        run_ffmpeg(
            [
                "-f", "lavfi", "-i", f"testsrc=size=640x360:rate=25:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:beep_factor=4:duration={seconds}",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-profile:v", "main", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "64k", "-ac", "1",
                "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
                "-hls_segment_filename", str(work / "segment%03d.ts"),
                str(work / PLAYLIST),
            ]
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
        work.rename(folder)
        created = True
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            video_kind=Meeting.VideoKind.UPLOAD, video_url="", duration_ms=seconds * 1000
        )
    meeting.refresh_from_db()
    return created
