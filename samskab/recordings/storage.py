"""Where the archive's files live on disk.

- MEDIA_ROOT/webcasts/<meeting>/: the public HLS package (index.m3u8, segments), thumbnails,
  clips/<clip>.mp4 and, from live ingest, recording.mkv. The web server serves this folder.
- PRIVATE_ROOT/masters/<meeting>/master.*: the original an editor uploaded, never served.
- PRIVATE_ROOT/hidden/<meeting>/: a hidden (unpublished) meeting's public folder, moved out
  of the web server's reach until it is shown again.
- PRIVATE_ROOT/incoming/: uploads waiting to be packaged (kept until packaging succeeds).
- PRIVATE_ROOT/replaced/<meeting>/: a recording being replaced by a new live feed, kept until
  the new feed's first segment is written (then deleted) or put back if the feed fails.

PRIVATE_ROOT is RECORDINGS_PRIVATE_ROOT, by default "private" beside MEDIA_ROOT.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from samskab.core import paths
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder

# Files the live ingest may leave as its master, in order of preference.
INGEST_MASTERS = ("recording.mkv", "recording.mp4", "recording.ts")


private_root = paths.private_root
move = paths.move


def masters_folder(meeting_id: int) -> Path:
    return private_root() / "masters" / str(meeting_id)


def hidden_folder(meeting_id: int) -> Path:
    return private_root() / "hidden" / str(meeting_id)


def replaced_folder(meeting_id: int) -> Path:
    return private_root() / "replaced" / str(meeting_id)


def incoming_folder() -> Path:
    return private_root() / "incoming"


def clips_folder(meeting_id: int) -> Path:
    return media_folder(meeting_id) / "clips"


def clip_mp4_path(meeting_id: int, clip_id: int) -> Path:
    return clips_folder(meeting_id) / f"{clip_id}.mp4"


def uploaded_master(meeting_id: int) -> Path | None:
    folder = masters_folder(meeting_id)
    if not folder.is_dir():
        return None
    found = sorted(folder.glob("master.*"))
    return found[0] if found else None


def playlist_path(meeting_id: int) -> Path:
    return media_folder(meeting_id) / PLAYLIST


def master_file(meeting: Meeting) -> Path | None:
    """The best source for cutting the meeting: the uploaded original, else the live ingest's
    recording, else the HLS package itself; None when the meeting has no video of ours."""
    uploaded = uploaded_master(meeting.pk)
    if uploaded is not None:
        return uploaded
    folder = media_folder(meeting.pk)
    for name in INGEST_MASTERS:
        if (folder / name).is_file():
            return folder / name
    playlist = folder / PLAYLIST
    return playlist if playlist.is_file() else None


def remove_tree(path: Path) -> int:
    """Delete a folder and everything in it; the number of files deleted."""
    if not path.exists():
        return 0
    count = sum(1 for each in path.rglob("*") if each.is_file())
    shutil.rmtree(path)
    return count


def remove_package(meeting_id: int, *, keep: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """Delete the HLS playlist, segments and thumbnails (not clips, not `keep`)."""
    folder = media_folder(meeting_id)
    if not folder.is_dir():
        return 0
    count = 0
    for each in folder.iterdir():
        if each.name in keep or each.name == "clips" or each.name in INGEST_MASTERS:
            continue
        if each.is_dir():
            count += remove_tree(each)
        else:
            each.unlink()
            count += 1
    return count
