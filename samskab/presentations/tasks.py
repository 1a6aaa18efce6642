"""Background work for presentations, run by the worker (`samskab worker`)."""

from __future__ import annotations

import logging

import pypdfium2 as pdfium
from django.core.exceptions import ValidationError
from django_tasks import task

from samskab.attachments.models import Document
from samskab.presentations import media
from samskab.presentations.models import Video

logger = logging.getLogger(__name__)


@task()
def package_video(video_id: int, copy: bool) -> None:
    video = Video.objects.filter(pk=video_id).first()
    if video is not None:
        media.video_package(video, copy=copy)


@task()
def render_deck(document_id: int) -> int:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return 0
    try:
        return media.deck_pages_render(document)
    except (pdfium.PdfiumError, ValidationError) as error:
        logger.warning("PDF %s was not split into slides: %s", document_id, error)
        return 0
