"""Where Samskab keeps files on disk, and moving them without crossing mounts by surprise.

MEDIA_ROOT is served (through the app's check, docs/deployment.md); the private root
(RECORDINGS_PRIVATE_ROOT, by default "private" beside MEDIA_ROOT) never is. Production keeps
both in one folder on one file system (/srv/samskab/data/{media,private}), so hiding a
recording is a rename; `move` copies and then deletes when a rename cannot cross the mount.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from django.conf import settings

# The private root's folders, made by `samskab setup_dirs` (recordings' storage uses them).
PRIVATE_FOLDERS = ("incoming", "masters", "hidden", "work", "replaced")
# Modes: media is read by nginx (other user, same group or world); private is ours only.
MEDIA_MODE = 0o755
PRIVATE_MODE = 0o700


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def private_root() -> Path:
    configured = getattr(settings, "RECORDINGS_PRIVATE_ROOT", None)
    return Path(configured) if configured else media_root().parent / "private"


def same_device(first: Path, second: Path) -> bool:
    """Whether a rename between the two folders can work (both must exist)."""
    return os.stat(first).st_dev == os.stat(second).st_dev


def move(source: Path, target: Path) -> str:
    """Move a file or folder to `target` (which must not exist): a rename when both are on
    one file system, else a copy and then the source's deletion, so a failed copy leaves the
    source whole. Returns "rename" or "copy"."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
        return "rename"
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    partial = target.with_name(target.name + ".partial")
    _remove(partial)
    try:
        if source.is_dir():
            shutil.copytree(source, partial, symlinks=True)
        else:
            shutil.copy2(source, partial)
        os.rename(partial, target)  # same file system as the target: atomic
    except BaseException:
        _remove(partial)
        raise
    _remove(source)
    return "copy"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def setup_dirs() -> list[tuple[Path, int, bool]]:
    """Make the folders a deployment writes (idempotent): MEDIA_ROOT, STATIC_ROOT, the
    private root and its parts, each with its mode. (path, mode, made now) for each."""
    media, private = media_root(), private_root()
    wanted: list[tuple[Path, int]] = [
        (media, MEDIA_MODE),
        (media / "webcasts", MEDIA_MODE),
        (Path(settings.STATIC_ROOT), MEDIA_MODE),
        (private, PRIVATE_MODE),
        *[(private / name, PRIVATE_MODE) for name in PRIVATE_FOLDERS],
    ]
    done = []
    for path, mode in wanted:
        made = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
        done.append((path, mode, made))
    return done
