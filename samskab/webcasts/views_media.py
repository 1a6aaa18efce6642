"""A meeting's files, served only to whoever may see them (security review M3, M4).

Everything under MEDIA_ROOT that belongs to a meeting goes through `media_file`:

- `webcasts/<meeting id>/...`: the HLS playlist and segments (live and archive), thumbnails,
  clips and the ingest's picture; a live ingest's master (`recording.*`) never;
- `documents/...`: the meeting's documents;
- `slides/...`: slide decks' PDFs and the pictures of their pages;
- `captions/...`: WebVTT captions.

The view finds the meeting (and agenda item) a file belongs to and checks
`webcasts.view_meeting` (and `webcasts.view_closed_items` for a closed item's file); a file
that belongs to nothing it knows is refused. The file itself is sent by the web server
(`X-Accel-Redirect` to MEDIA_ACCEL_REDIRECT, an nginx `internal` location, see
docs/deploy/nginx.conf) or, where that is empty (development, tests), by Django. The check
is made on every request and nothing moves on disk, so an unpublished meeting's files (a
live test stream included) are refused at once, and served again once it is published.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

from samskab.core import objectstore
from samskab.webcasts.models import AgendaItem, Captions, Document, Meeting, Slide, SlideDeck

# The folders (first part of the path under MEDIA_ROOT) this view guards.
FOLDERS = ("webcasts", "documents", "slides", "captions")
MEDIA_PATH_RE = rf"^media/(?P<path>(?:{'|'.join(FOLDERS)})/.+)$"
MEETING_FOLDER_RE = re.compile(r"^webcasts/(\d{1,18})/")
# slides.slide_deck_render names page pictures deck<deck id>-<page>.jpg (the storage may add
# a suffix); the deck id narrows the lookup to one deck's rows.
SLIDE_PAGE_RE = re.compile(r"/deck(\d{1,18})-\d+[^/]*$")
# The live ingest's master recording is for the archive, never for viewers.
MASTER_RE = re.compile(r"^webcasts/\d+/recording\.[A-Za-z0-9]+$")
# A playlist changes while the meeting is live; segments and pictures never change.
PLAYLIST_CACHE = "no-cache"
SEGMENT_CACHE = objectstore.SEGMENT_CACHE  # "immutable": a segment's name is never reused
FILE_CACHE = "public, max-age=86400"
STAFF_CACHE = "private, no-store"
# Types the system's MIME table may not know (nginx keeps the app's Content-Type).
CONTENT_TYPES = {"m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t", "vtt": "text/vtt"}


@dataclass(frozen=True)
class Owner:
    meeting: Meeting
    item: AgendaItem | None = None

    @property
    def is_public(self) -> bool:
        return bool(self.meeting.is_published) and (self.item is None or self.item.is_public)


def clean_path(path: str) -> bool:
    """Only plain relative paths: no `..`, `.`, empty parts, backslashes or NUL."""
    if "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def media_owner(path: str) -> Owner | None:
    """The meeting (and agenda item) a file under MEDIA_ROOT belongs to, or None."""
    folder = path.split("/", 1)[0]
    if folder == "webcasts":
        match = MEETING_FOLDER_RE.match(path)
        if match is None or MASTER_RE.match(path):
            return None
        meeting = Meeting.objects.filter(pk=int(match.group(1))).only("pk", "is_published")
        found = meeting.first()
        return Owner(found) if found is not None else None
    if folder == "documents":
        document = Document.objects.select_related("meeting", "agenda_item").filter(file=path)
        found_document = document.first()
        if found_document is None:
            return None
        return Owner(found_document.meeting, found_document.agenda_item)
    if folder == "slides":
        slides = Slide.objects.filter(image=path)
        if match := SLIDE_PAGE_RE.search(path):
            slides = slides.filter(deck_id=int(match.group(1)))
        slide = slides.select_related("deck__agenda_item__meeting").first()
        if slide is not None:
            return Owner(slide.deck.agenda_item.meeting, slide.deck.agenda_item)
        deck = SlideDeck.objects.select_related("agenda_item__meeting").filter(pdf=path).first()
        if deck is None:
            return None
        return Owner(deck.agenda_item.meeting, deck.agenda_item)
    if folder == "captions":
        captions = Captions.objects.select_related("meeting").filter(vtt=path).first()
        return Owner(captions.meeting) if captions is not None else None
    return None


def may_see(request: HttpRequest, owner: Owner) -> bool:
    if owner.is_public:
        return True  # without touching the session: public files stay cacheable
    user = request.user
    if not user.has_perm("webcasts.view_meeting", owner.meeting):
        return False
    if owner.item is not None and not owner.item.is_public:
        return user.has_perm("webcasts.view_closed_items", owner.meeting)
    return True


def content_type(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1].lower()
    known = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0]
    return known or "application/octet-stream"


def cache_control(path: str, *, public: bool) -> str:
    if not public:
        return STAFF_CACHE
    if path.endswith(".m3u8"):
        return PLAYLIST_CACHE
    if path.endswith(".ts"):
        return SEGMENT_CACHE
    return FILE_CACHE


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponse:
    if not clean_path(path):
        raise Http404
    owner = media_owner(path)
    if owner is None or not may_see(request, owner):
        raise Http404
    if objectstore.enabled():
        # Media on object storage: the same check, then the object (or nginx fetches it).
        try:
            response = objectstore.response(
                Path(settings.MEDIA_ROOT) / path,
                content_type=content_type(path),
                cache=cache_control(path, public=owner.is_public),
            )
        except FileNotFoundError:
            raise Http404 from None
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if not (Path(settings.MEDIA_ROOT) / path).is_file():
        raise Http404
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if accel:
        # nginx sends the file from its internal location, keeping this response's
        # Content-Type and Cache-Control (checked with nginx 1.22).
        response = HttpResponse(content_type=content_type(path))
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(path)
    else:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = cache_control(path, public=owner.is_public)
    response["X-Content-Type-Options"] = "nosniff"
    return response
