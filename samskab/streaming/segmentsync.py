"""The live ingest's files to object storage, as they close (MEDIA_STORAGE=s3).

ffmpeg writes the live HLS into the meeting's local folder; a segment is closed once the
playlist names it. Every `every_s` seconds the uploader sends the segments the playlist
names that it has not sent, then the playlist as it read it (so the stored playlist never
names a segment the store lacks), and the poster when it changed. When the feed ends it
sends the rest, the ingest's recording (recording*.mkv) included, and the local folder may
go: an encoder that comes back, here or on a standby host, continues from the stored
playlist (`resume`). A store that fails is tried again on the next round; the feed goes on.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from samskab.core import objectstore

logger = logging.getLogger("samskab.streaming")


def playlist_segments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


class SegmentUploader:
    def __init__(self, folder: Path, *, playlist: str, poster: str, every_s: float = 1.0):
        self.folder, self.playlist, self.poster = folder, playlist, poster
        self.every_s = every_s
        self.sent: set[str] = set()
        self.last_playlist = ""
        self.poster_mtime = 0.0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not objectstore.enabled():
            return
        self._thread = threading.Thread(target=self._run, name="segment-upload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.sync()

    def sync(self, *, final: bool = False) -> int:
        """One round; the number of files sent."""
        try:
            return self._sync(final=final)
        except OSError as error:  # objectstore.StoreError: unreachable; the next round tries
            self.failures += 1
            logger.warning("Uploading %s to object storage failed: %s", self.folder, error)
            return 0

    def _sync(self, *, final: bool) -> int:
        sent = 0
        try:
            text = (self.folder / self.playlist).read_text()
        except OSError:
            text = ""
        for name in playlist_segments(text):
            if name not in self.sent and (self.folder / name).is_file():
                objectstore.upload_file(self.folder / name)
                self.sent.add(name)
                sent += 1
        if text and text != self.last_playlist:
            objectstore.put_bytes(self.folder / self.playlist, text.encode())
            self.last_playlist = text
            sent += 1
        poster = self.folder / self.poster
        if poster.is_file() and poster.stat().st_mtime != self.poster_mtime:
            self.poster_mtime = poster.stat().st_mtime
            objectstore.upload_file(poster)
            sent += 1
        if final:
            for recording in sorted(self.folder.glob("recording*")):
                objectstore.upload_file(recording)
                sent += 1
        return sent

    def stop(self) -> int:
        """Stop the rounds and send what is left; the number of files sent at the end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if not objectstore.enabled():
            return 0
        return self.sync(final=True)


def resume(folder: Path, playlist: str) -> bool:
    """Before a feed starts: with media in the store and no local playlist (a standby host,
    or a folder cleaned after the last feed), fetch the stored playlist so ffmpeg appends to
    it. True when there is a playlist to continue."""
    local = folder / playlist
    if local.exists() or not objectstore.enabled():
        return local.exists()
    try:
        return objectstore.fetch(local)
    except OSError as error:
        logger.warning("Fetching %s from object storage failed: %s", local, error)
        return False


def stored_names(folder: Path) -> set[str]:
    """The top-level names the store holds for the folder (none on the local disk setup)."""
    if not objectstore.enabled():
        return set()
    return {name.split("/", 1)[0] for name in objectstore.listing(folder)}
