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

With media on object storage (MEDIA_STORAGE=s3, core/objectstore.py) the store holds the
same layout and is the one shared copy; these folders are then the host's working copy, and
the functions here change both (`move`, `remove_tree`, `remove_package`) or ask the store
(`exists`, `uploaded_master`, `master_file`). A job fetches what it reads (`fetch`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from samskab.core import objectstore, paths
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder

# Files the live ingest may leave as its master, in order of preference.
INGEST_MASTERS = ("recording.mkv", "recording.mp4", "recording.ts")


private_root = paths.private_root


def move(source: Path, target: Path) -> str:
    """Move a file or folder (hide, show, set aside), on the local disk and in the store."""
    how = paths.move(source, target) if source.exists() else ""
    if objectstore.move(source, target):
        how = how or "store"
    return how


def exists(path: Path) -> bool:
    """Whether the file or folder is there: on the local disk or in the store."""
    return path.exists() or (objectstore.enabled() and objectstore.exists(path))


def fetch(path: Path) -> bool:
    """Make the local copy of a file or folder current from the store (no-op on disk)."""
    return objectstore.fetch(path) if objectstore.enabled() else path.exists()


def release(path: Path) -> None:
    """With media in the store, delete the local working copy (the store keeps it)."""
    if objectstore.enabled() and path.exists():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def publish(path: Path) -> None:
    """With media in the store, upload a file or folder made here and drop the local copy."""
    objectstore.publish(path, keep_local=False)


def read_text(path: Path) -> str | None:
    """A small file's text (a playlist), from the store when media are there; None if absent."""
    if objectstore.enabled():
        try:
            return objectstore.read_bytes(path).decode("utf-8", errors="replace")
        except FileNotFoundError:
            return None
    return path.read_text() if path.is_file() else None


def remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    objectstore.remove(path)


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
    """Where the uploaded original is (not fetched: `fetch` it before reading it)."""
    folder = masters_folder(meeting_id)
    if objectstore.enabled():
        names = sorted(n for n in objectstore.listing(folder) if n.startswith("master."))
        return folder / names[0] if names else None
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
    if objectstore.enabled():
        names = set(objectstore.listing(folder))
        for name in (*INGEST_MASTERS, PLAYLIST):
            if name in names:
                return folder / name
        return None
    for name in INGEST_MASTERS:
        if (folder / name).is_file():
            return folder / name
    playlist = folder / PLAYLIST
    return playlist if playlist.is_file() else None


def fetch_source(source: Path) -> None:
    """Fetch a master to read it; an HLS playlist with the segments it names."""
    if not objectstore.enabled():
        return
    if source.name != PLAYLIST:
        fetch(source)
        return
    fetch(source)
    for line in source.read_text().splitlines():
        if line and not line.startswith("#"):
            fetch(source.parent / line.strip())


def release_source(source: Path) -> None:
    if source.name == PLAYLIST:
        for line in source.read_text().splitlines() if source.is_file() else []:
            if line and not line.startswith("#"):
                release(source.parent / line.strip())
    release(source)


def remove_tree(path: Path) -> int:
    """Delete a folder and everything in it, here and in the store; the number of files
    deleted (the larger count of the two)."""
    stored = objectstore.remove(path)
    if not path.exists():
        return stored
    count = sum(1 for each in path.rglob("*") if each.is_file())
    shutil.rmtree(path)
    return max(count, stored)


def remove_package(meeting_id: int, *, keep: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """Delete the HLS playlist, segments and thumbnails (not clips, not `keep`)."""
    folder = media_folder(meeting_id)
    count = 0
    if objectstore.enabled():
        count = objectstore.remove_except(folder, {*keep, "clips", *INGEST_MASTERS})
    if not folder.is_dir():
        return count
    for each in folder.iterdir():
        if each.name in keep or each.name == "clips" or each.name in INGEST_MASTERS:
            continue
        if each.is_dir():
            count += len([f for f in each.rglob("*") if f.is_file()])
            shutil.rmtree(each)
        else:
            each.unlink()
            count += 1
    return count
