"""Still pictures from a meeting's own recording, for share previews (OpenGraph, X cards).

A picture is taken at a whole number of seconds rounded down to STEP_S, so a 3-hour meeting
has at most a few thousand possible pictures; each is made once with ffmpeg and kept on disk.
Meetings on YouTube or Facebook get none (their video is not ours to cut).
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from samskab.core import objectstore
from samskab.media.commands import hls_segments
from samskab.webcasts.ffmpeg import MediaError, run_ffmpeg
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import local_playlist, media_folder

STEP_S = 5
# Every picture has one size, so a shared link's card can state it (og:image:width/height)
# and link previews need not fetch the picture to lay out the card: 16:9, as the recordings,
# and wide enough for Facebook's and LinkedIn's large cards. Other shapes are letterboxed.
WIDTH, HEIGHT = 1280, 720
SCALE = (
    f"scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,"
    f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1"
)
TIMEOUT_S = 30


def last_second(meeting: Meeting, *, now: datetime | None = None) -> int:
    """The last whole second of the recording a picture may be taken at.

    The recording's length when it is known; while the meeting is live, the live edge (the
    time since the recording started); otherwise the length of our own playlist. So the
    seconds a visitor can ask for, and the pictures kept, are bounded by the video (L5).
    """
    if meeting.duration_ms:
        return max(0, meeting.duration_ms // 1000 - 1)
    if meeting.status == Meeting.Status.LIVE and meeting.recording_started_at is not None:
        now = now or timezone.now()
        return max(0, int((now - meeting.recording_started_at).total_seconds()) - 1)
    return max(0, int(playlist_seconds(meeting)) - 1)


def playlist_seconds(meeting: Meeting) -> float:
    """The length of our own HLS playlist (its segments' #EXTINF), 0 when there is none."""
    source = local_playlist(meeting)
    if source is None:
        return 0.0
    total = 0.0
    with source.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.startswith("#EXTINF:"):
                with contextlib.suppress(ValueError):
                    total += float(line[8:].split(",", 1)[0])
    return total


def thumbnail_second(meeting: Meeting, second: int, *, now: datetime | None = None) -> int:
    second = min(max(0, second), last_second(meeting, now=now))
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
    offset, segment = float(second), None
    if objectstore.enabled():
        # Media on object storage: fetch only the segment that holds the second.
        found = _segment_at(source, second)
        if found is None:
            return None
        segment, offset = found
        objectstore.fetch(segment)
        source = segment
    try:
        run_ffmpeg(
            [
                "-ss", f"{offset:.3f}", "-i", str(source), "-vf", SCALE,
                "-frames:v", "1", "-q:v", "4", "-update", "1", "-y", str(partial),
            ],
            timeout=TIMEOUT_S,
        )  # fmt: skip
    except MediaError:
        partial.unlink(missing_ok=True)
        return None
    finally:
        if segment is not None:
            segment.unlink(missing_ok=True)
    if not partial.is_file():  # past the end of the recording: ffmpeg writes nothing
        return None
    partial.replace(target)  # atomic: a reader never sees half a picture
    if objectstore.enabled():
        objectstore.publish(target, keep_local=False)
    return target


# --- the timeline editor's strip: small pictures along the recording ---------------------

STRIP_COUNT = 10
STRIP_WIDTH, STRIP_HEIGHT = 160, 90
STRIP_SCALE = (
    f"scale={STRIP_WIDTH}:{STRIP_HEIGHT}:force_original_aspect_ratio=decrease,"
    f"pad={STRIP_WIDTH}:{STRIP_HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1"
)


def strip_seconds(meeting: Meeting) -> list[int]:
    """Where the strip's pictures are taken: at most STRIP_COUNT, evenly along the video,
    on whole multiples of STEP_S so a longer recording after a re-upload reuses none wrongly
    (the folder is cleared by a new upload with the rest of the meeting's media)."""
    length = last_second(meeting)
    if length <= 0:
        return [0]
    step = max(STEP_S, -(-length // STRIP_COUNT))
    step += -step % STEP_S
    return list(range(0, length + 1, step))


def strip_path(meeting: Meeting, second: int) -> Path:
    return media_folder(meeting.pk) / "timeline" / f"{second}.jpg"


def strip_done_path(meeting: Meeting) -> Path:
    return media_folder(meeting.pk) / "timeline" / "done"


def strip_ready(meeting: Meeting) -> list[int] | None:
    """The seconds that have a picture once the worker has made the strip, None before
    ([] when the video is not ours)."""
    if local_playlist(meeting) is None:
        return []
    if not strip_done_path(meeting).is_file():
        return None
    return [second for second in strip_seconds(meeting) if strip_path(meeting, second).is_file()]


def strip_make(*, meeting: Meeting) -> int:
    """Make the strip's missing pictures with ffmpeg (the worker's task); how many were made."""
    source = local_playlist(meeting)
    if source is None:
        return 0
    made = 0
    for second in strip_seconds(meeting):
        target = strip_path(meeting, second)
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part.jpg")
        try:
            run_ffmpeg(
                [
                    "-ss", str(second), "-i", str(source), "-vf", STRIP_SCALE,
                    "-frames:v", "1", "-q:v", "6", "-update", "1", "-y", str(partial),
                ],
                timeout=TIMEOUT_S,
            )  # fmt: skip
        except MediaError:
            partial.unlink(missing_ok=True)
            continue
        if partial.is_file():  # past the last frame ffmpeg writes nothing: no picture there
            partial.replace(target)
            made += 1
    strip_done_path(meeting).parent.mkdir(parents=True, exist_ok=True)
    strip_done_path(meeting).touch()
    return made


def _segment_at(playlist: Path, second: int) -> tuple[Path, float] | None:
    """The segment of a VOD playlist that holds `second`, and the offset into it."""
    wanted_ms = second * 1000
    for each in hls_segments(playlist.read_text(encoding="utf-8", errors="replace")):
        if each.start_ms <= wanted_ms < each.start_ms + each.duration_ms:
            return playlist.parent / each.uri, (wanted_ms - each.start_ms) / 1000
    return None
