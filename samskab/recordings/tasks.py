"""Background work for the archive, run by the worker (`samskab worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

from samskab.core.locks import LockHeld
from samskab.recordings import services
from samskab.recordings.models import Clip, Redaction, Upload

logger = logging.getLogger(__name__)


@task()
def package_upload(upload_id: int) -> None:
    upload = Upload.objects.select_related("meeting").filter(pk=upload_id).first()
    if upload is not None:
        services.upload_package(upload)


@task()
def render_clip(clip_id: int) -> None:
    clip = Clip.objects.select_related("meeting").filter(pk=clip_id).first()
    if clip is not None:
        services.clip_render(clip)


@task()
def apply_redaction(redaction_id: int) -> None:
    redaction = Redaction.objects.select_related("meeting").filter(pk=redaction_id).first()
    if redaction is not None:
        services.redaction_apply(redaction)


@task()
def run_retention() -> int:
    try:
        removed = services.retention_run()
    except LockHeld as held:
        logger.info("Retention not run: %s", held)
        return 0
    logger.info("Retention removed %s recordings", len(removed))
    return len(removed)
