"""Where a meeting's own recording lives, and how the player and thumbnails reach it.

A recording that Samskab holds itself (video kind "uploaded recording") is an HLS package
under MEDIA_ROOT/webcasts/<meeting id>/index.m3u8, written by the media pipeline (or the
demo). Other kinds point at someone else's address (an HLS URL, YouTube, Facebook).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from samskab.core import objectstore
from samskab.webcasts.models import Meeting

PLAYLIST = "index.m3u8"
YOUTUBE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def media_folder(meeting_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "webcasts" / str(meeting_id)


def local_playlist(meeting: Meeting) -> Path | None:
    """The HLS playlist on disk when the recording is ours, else None. With media on object
    storage, the playlist is fetched into the local working folder (its segments are not:
    a reader fetches the ones it needs)."""
    if meeting.video_kind != Meeting.VideoKind.UPLOAD:
        return None
    path = media_folder(meeting.pk) / PLAYLIST
    if objectstore.enabled():
        return path if objectstore.fetch(path) else None
    return path if path.is_file() else None


def hls_url(meeting: Meeting) -> str:
    """The address the player loads for HLS and uploaded recordings ('' if none)."""
    if meeting.video_kind == Meeting.VideoKind.UPLOAD:
        return f"{settings.MEDIA_URL}webcasts/{meeting.pk}/{PLAYLIST}"
    if meeting.video_kind == Meeting.VideoKind.HLS:
        return meeting.video_url
    return ""


def youtube_id(url: str) -> str:
    """The video id from the usual YouTube address forms, or '' when it is not one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host in {"youtube.com", "youtube-nocookie.com"}:
        if parts.path == "/watch":
            candidate = parse_qs(parts.query).get("v", [""])[0]
        else:
            segments = parts.path.strip("/").split("/")
            if len(segments) >= 2 and segments[0] in {"embed", "live", "shorts", "v"}:
                candidate = segments[1]
    return candidate if YOUTUBE_ID_RE.match(candidate) else ""


def external_origin(url: str) -> str:
    """scheme://host[:port] of an external video address, for the page's CSP."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc}"
