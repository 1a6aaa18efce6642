"""Media for presentations: uploaded videos packaged to HLS by the media pipeline (the same
ffmpeg command lines and runner as the archive), and the pages of PDF slide decks attached
to a presentation rendered to pictures with pypdfium2 (the same rules as meeting slides).

- PRIVATE_ROOT/presentations/incoming/: uploaded videos waiting to be packaged.
- MEDIA_ROOT/presentations/videos/<video>/: the public HLS package.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from samskab.attachments.models import Document
from samskab.core import paths
from samskab.media import commands
from samskab.presentations.models import DeckPage, Job, Video
from samskab.recordings import engine
from samskab.webcasts.ffmpeg import MediaError
from samskab.webcasts.services import vtt_checked
from samskab.webcasts.slides import pdf_pages

logger = logging.getLogger(__name__)

VIDEO_MAX_BYTES = 2 * 1024 * 1024 * 1024
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".m4v", ".ts"}
CAPTIONS_MAX_BYTES = 2 * 1024 * 1024


def video_folder(video_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "presentations" / "videos" / str(video_id)


def incoming_folder() -> Path:
    folder = paths.private_root() / "presentations" / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def video_accept(*, title: str, file, by) -> Video:
    """Check an uploaded video by its content and queue it for packaging to HLS."""
    if file.size > VIDEO_MAX_BYTES:
        raise ValidationError(_("The video is too big. The largest you can upload is 2 GB."))
    suffix = Path(file.name).suffix.lower()
    staged = (
        incoming_folder()
        / f"{secrets.token_hex(8)}{suffix if suffix in VIDEO_SUFFIXES else '.bin'}"
    )
    with staged.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    found = engine.probe(staged)
    if found is None or found.video_codec is None:
        staged.unlink(missing_ok=True)
        raise ValidationError(_("The file is not a video ffmpeg can read."))
    with transaction.atomic():
        video = Video.objects.create(
            title=(title.strip() or Path(file.name).stem)[:200],
            original_name=Path(file.name).name[:255],
            staged_path=str(staged),
            duration_ms=found.duration_ms,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        copy = found.hls_compatible
        transaction.on_commit(lambda: _enqueue(video.pk, copy))
    return video


def _enqueue(video_id: int, copy: bool) -> None:
    from samskab.presentations.tasks import package_video

    package_video.enqueue(video_id=video_id, copy=copy)


def video_package(video: Video, *, copy: bool) -> None:
    staged = Path(video.staged_path)
    Video.objects.filter(pk=video.pk).update(status=Job.RUNNING, error="")
    target = video_folder(video.pk)
    work = target.with_name(f"{video.pk}.work")
    try:
        if not staged.is_file():
            raise MediaError("the uploaded file is gone")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        engine.run_job(commands.hls_package_args(str(staged), str(work), copy=copy))
        shutil.rmtree(target, ignore_errors=True)
        work.rename(target)
        staged.unlink(missing_ok=True)
        Video.objects.filter(pk=video.pk).update(status=Job.DONE, staged_path="")
    except (MediaError, OSError) as error:
        shutil.rmtree(work, ignore_errors=True)
        Video.objects.filter(pk=video.pk).update(status=Job.FAILED, error=str(error)[:2000])
        logger.warning("Presentation video %s was not packaged: %s", video.pk, error)


def video_remove_files(video_id: int) -> None:
    shutil.rmtree(video_folder(video_id), ignore_errors=True)


def captions_checked(data: bytes) -> str:
    """WebVTT captions as the player serves them, or ValidationError naming every broken cue
    by its line (the meetings' captions parser: what it accepts plays in browsers)."""
    if len(data) > CAPTIONS_MAX_BYTES:
        raise ValidationError(_("The captions file is too big. The largest is 2 MB."))
    vtt_checked(data)
    text = data.decode("utf-8").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def video_captions_set(*, video: Video, data: bytes) -> None:
    """Give an uploaded video its (Danish) captions, replacing any before; a broken file is
    refused whole and nothing changes."""
    text = captions_checked(data)
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        old = video.captions.name if video.captions else ""
        video.captions.save(f"video-{video.pk}.vtt", ContentFile(text.encode()), save=True)
        if old and old != video.captions.name:
            storage = video.captions.storage
            transaction.on_commit(lambda: storage.delete(old))


def video_captions_remove(*, video: Video) -> None:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if not video.captions:
            return
        old, storage = video.captions.name, video.captions.storage
        video.captions = ""
        video.save(update_fields=["captions"])
        transaction.on_commit(lambda: storage.delete(old))


def deck_pages_render(document: Document) -> int:
    """Render every page of an attached PDF to a picture (replacing earlier renders)."""
    with document.file.open("rb") as handle:
        data = handle.read()
    rendered = pdf_pages(data)
    with transaction.atomic():
        kept = {}
        for old in DeckPage.objects.filter(document=document):
            kept[old.number] = old
        for number, jpeg, text in rendered:
            page = kept.pop(number, None) or DeckPage(document=document, number=number)
            if page.image:
                page.image.delete(save=False)
            page.text = text
            page.image.save(f"doc{document.pk}-{number}.jpg", ContentFile(jpeg), save=False)
            page.save()
        for stale in kept.values():
            stale.image.delete(save=False)
            stale.delete()
    return len(rendered)
