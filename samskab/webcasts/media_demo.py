"""A generated recording for the demo: a test picture with a tone, packaged as HLS.

Uses the ffmpeg binary shipped inside the imageio-ffmpeg wheel, so nothing needs to be
installed on the machine. Idempotent: a meeting that already has its package is left alone.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from samskab.webcasts.ffmpeg import MediaError, run_ffmpeg
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
        if settings.DEMO_VIDEO_CACHE:
            shutil.copytree(_cached_package(Path(settings.DEMO_VIDEO_CACHE), seconds), work)
        else:
            work.mkdir(parents=True)
            _package(work, seconds)
        shutil.rmtree(folder, ignore_errors=True)
        work.rename(folder)
        created = True
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            video_kind=Meeting.VideoKind.UPLOAD,
            video_url="",
            duration_ms=seconds * 1000,
            updated_at=timezone.now(),  # the index ends at the new length: a new version
        )
    meeting.refresh_from_db()
    return created


def _cached_package(cache: Path, seconds: int) -> Path:
    """The generated package of `seconds` in the cache folder, made there on first use."""
    cached = cache / f"testsrc-{seconds}s"
    if not cached.is_dir():
        work = cache / f".testsrc-{seconds}s.{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        _package(work, seconds)
        try:
            work.rename(cached)
        except OSError:  # another process filled the cache first: same content
            shutil.rmtree(work, ignore_errors=True)
    return cached


def _package(work: Path, seconds: int) -> None:
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


DEMO_DECK_ITEM = "3"  # "Skolestruktur 2031" in the demo's recorded council meeting
DEMO_DECK_PAGES = [
    "Vestbyens skoler i dag: 2 matrikler, 612 elever",
    "Forslaget: én skole på Østervej fra 2031",
    "Økonomi: ombygning 48 mio. kr.",
]
# When the operator showed each page, in seconds into the recording (during item 3).
DEMO_SLIDE_SECONDS = [84, 112, 152]


def demo_media_load() -> list[str]:
    """The demo's recorded meeting gets its video and a slide deck; returns what was done.

    Runs after the demo's rows exist, outside their transaction (ffmpeg takes a while).
    A failing ffmpeg is reported and skipped: the demo works without video.
    """
    from django.core.files.base import ContentFile

    from samskab.webcasts.demo import DEMO_PAST_SECONDS, PAST_ID
    from samskab.webcasts.models import SlideDeck, TimelineMark
    from samskab.webcasts.slides import sample_deck_pdf, slide_deck_render

    meeting = Meeting.objects.filter(external_id=PAST_ID).first()
    if meeting is None:
        return ["The demo has no recorded meeting; no video made."]
    messages = []
    try:
        if demo_video_make(meeting=meeting, seconds=DEMO_PAST_SECONDS):
            messages.append(f"Demo video made ({DEMO_PAST_SECONDS} s, HLS) for “{meeting.title}”.")
    except MediaError as error:
        messages.append(f"Demo video skipped: {error}")
    item = meeting.agenda_items.filter(number=DEMO_DECK_ITEM).first()
    if item is None:
        return messages
    deck = SlideDeck.objects.filter(agenda_item=item).first()
    if deck is None:
        deck = SlideDeck(agenda_item=item, title="Skolestruktur 2031: oplæg")
        pdf = sample_deck_pdf(title="Skolestruktur 2031", pages=DEMO_DECK_PAGES)
        deck.pdf.save("skolestruktur-2031.pdf", ContentFile(pdf), save=True)
    if deck.page_count == 0:
        slide_deck_render(deck=deck)
        messages.append(f"Demo slides rendered ({deck.page_count} pages).")
    if not meeting.marks.filter(kind=TimelineMark.Kind.SLIDE).exists():
        start = meeting.recording_started_at or meeting.starts_at
        with transaction.atomic():
            for slide, seconds in zip(
                deck.slides.order_by("number"), DEMO_SLIDE_SECONDS, strict=False
            ):
                TimelineMark.objects.create(
                    meeting=meeting,
                    kind=TimelineMark.Kind.SLIDE,
                    offset_ms=seconds * 1000,
                    at=start + timedelta(seconds=seconds),
                    slide=slide,
                )
    return messages
