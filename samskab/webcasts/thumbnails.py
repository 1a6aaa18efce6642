"""Still pictures from a meeting's own recording, for share previews (OpenGraph, X cards).

A picture is taken at a whole number of seconds rounded down to STEP_S, so a 3-hour meeting
has at most a few thousand possible pictures; each is made once with ffmpeg and kept on disk.
Meetings on YouTube or Facebook get none (their video is not ours to cut).
"""

from __future__ import annotations

import os
from pathlib import Path

from samskab.webcasts.ffmpeg import MediaError, run_ffmpeg
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import local_playlist, media_folder

STEP_S = 5
TIMEOUT_S = 30


def thumbnail_second(meeting: Meeting, second: int) -> int:
    second = max(0, second)
    if meeting.duration_ms:
        second = min(second, max(0, meeting.duration_ms // 1000 - 1))
    return second - second % STEP_S


def thumbnail_path(meeting: Meeting, second: int) -> Path:
    return media_folder(meeting.pk) / "thumbnails" / f"{second}.jpg"


def thumbnail_available(meeting: Meeting) -> bool:
    return local_playlist(meeting) is not None


def thumbnail_make(*, meeting: Meeting, second: int) -> Path | None:
    """The cached JPEG at `second` (already rounded), made now if missing; None if impossible."""
    source = local_playlist(meeting)
    if source is None:
        return None
    target = thumbnail_path(meeting, second)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part.jpg")
    try:
        run_ffmpeg(
            [
                "-ss", str(second), "-i", str(source),
                "-frames:v", "1", "-q:v", "4", "-update", "1", "-y", str(partial),
            ],
            timeout=TIMEOUT_S,
        )  # fmt: skip
    except MediaError:
        partial.unlink(missing_ok=True)
        return None
    if not partial.is_file():  # past the end of the recording: ffmpeg writes nothing
        return None
    partial.replace(target)  # atomic: a reader never sees half a picture
    return target
