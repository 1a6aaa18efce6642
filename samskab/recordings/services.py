"""The archive's actions: upload and package, clip, redact, hide and show, retention.

Long work (ffmpeg) runs in tasks.py through the worker; the functions here that a request
calls only check, record and enqueue. Every change is logged (ArchiveLogEntry and logging).
"""

from __future__ import annotations

import functools
import logging
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samskab.core import locks, objectstore, paths
from samskab.core.worker import TaskInterrupted
from samskab.media import commands
from samskab.recordings import clipping, engine, storage
from samskab.recordings.models import (
    ArchiveLogEntry,
    ArchiveState,
    Clip,
    Job,
    Redaction,
    Retention,
    RetentionPolicy,
    Upload,
    retention_due_at,
)
from samskab.webcasts import thumbnails
from samskab.webcasts.ffmpeg import MediaError
from samskab.webcasts.models import AgendaItem, Meeting, Person, TimelineMark
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.selectors import video_end_ms

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_MB = 8 * 1024
UPLOAD_SUFFIXES = {".mp4", ".mov", ".mkv", ".m4v"}
THUMBNAIL_SECONDS = (0, 5, 10)


def max_upload_bytes() -> int:
    return int(getattr(settings, "RECORDINGS_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * 1024 * 1024


def archive_state(meeting: Meeting) -> ArchiveState:
    state, _created = ArchiveState.objects.get_or_create(meeting=meeting)
    return state


def log(
    meeting: Meeting | None, action: str, detail: str = "", *, by=None, **params
) -> ArchiveLogEntry:
    """`detail` is a msgid (gettext_noop) and `params` its values: staff read the entry in
    their language, the server log has it in English."""
    title = str(meeting) if meeting is not None else ""
    logger.info(
        "archive %s: meeting %s (%s) %s %s",
        action,
        getattr(meeting, "pk", None),
        title,
        detail,
        params,
    )
    return ArchiveLogEntry.objects.create(
        meeting=meeting,
        meeting_title=title[:300],
        action=action,
        detail=detail,
        params=params,
        by=by,
    )


def _clock(ms: int) -> str:
    """12345678 -> "3:25:45"; under an hour "25:45" (as the timeline editor shows them)."""
    hours, rest = divmod(int(ms) // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


RETENTION_WORDS: dict[str, str] = {
    "": gettext_noop("As the body's rule"),
    Retention.NONE: gettext_noop("No archive"),
    Retention.DAYS: gettext_noop("Keep for a number of days: %(days)s"),
    Retention.KEEP: gettext_noop("Keep"),
}
REDACTION_WORDS: dict[str, str] = {
    Redaction.Mode.CUT: gettext_noop("cut out"),
    Redaction.Mode.BLACK: gettext_noop("black picture and silence"),
}


def _busy(meeting: Meeting) -> bool:
    active = [Job.WAITING, Job.RUNNING]
    return (
        Upload.objects.filter(meeting=meeting, status__in=active).exists()
        or Redaction.objects.filter(meeting=meeting, status__in=active).exists()
    )


def _check_not_hidden(meeting: Meeting) -> None:
    state = ArchiveState.objects.filter(meeting=meeting).first()
    if state is not None and state.is_unpublished:
        raise ValidationError(_("The recording is hidden. Show it again first."))


# --- Uploads ----------------------------------------------------------------------------


def upload_accept(*, meeting: Meeting, file, by) -> Upload:
    """Check an uploaded file by its content and queue it for packaging."""
    # A meeting that was ended has been held, even when it ended before its scheduled start
    # (review: a meeting held early could not get its recording).
    held = meeting.status == Meeting.Status.ENDED or (
        meeting.status == Meeting.Status.PLANNED and meeting.starts_at <= timezone.now()
    )
    if not held:
        raise ValidationError(
            _("A recording can only be uploaded to a meeting that has been held.")
        )
    _check_not_hidden(meeting)
    if _busy(meeting):
        raise ValidationError(
            _("The meeting's recording is being processed. Wait until it is done.")
        )
    limit = max_upload_bytes()
    if file.size > limit:
        raise ValidationError(
            _("The file is too big. The largest recording you can upload is %(size)s MB.")
            % {"size": limit // (1024 * 1024)}
        )
    suffix = Path(file.name).suffix.lower()
    staged = incoming_path(suffix if suffix in UPLOAD_SUFFIXES else ".bin")
    if hasattr(file, "temporary_file_path"):
        # A large upload is already on disk in a temporary file: move it, do not copy it.
        shutil.move(file.temporary_file_path(), staged)
    else:
        with staged.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
    try:
        found = engine.probe(staged)
    except MediaError:
        staged.unlink(missing_ok=True)
        logger.exception("Probing an upload failed")
        raise ValidationError(_("The file could not be checked. Try again later.")) from None
    if found is None or not found.is_archive_video or not found.duration_ms:
        staged.unlink(missing_ok=True)
        raise ValidationError(
            _("The file is not a video Samskab can use. Upload an MP4, MOV or MKV recording.")
        )
    try:
        storage.publish(staged)  # object storage: the worker may be on another host
    except OSError:
        staged.unlink(missing_ok=True)
        logger.exception("Storing an upload failed")
        raise ValidationError(_("The file could not be checked. Try again later.")) from None
    with transaction.atomic():
        upload = Upload.objects.create(
            meeting=meeting,
            original_name=Path(file.name).name[:255],
            size=file.size,
            staged_path=str(staged),
            container=found.container,
            video_codec=found.video_codec or "",
            audio_codec=found.audio_codec or "",
            duration_ms=found.duration_ms,
            copied=found.hls_compatible,
            created_by=by,
        )
        log(
            meeting,
            ArchiveLogEntry.Action.UPLOADED,
            gettext_noop("%(name)s, %(size)s bytes"),
            by=by,
            name=upload.original_name,
            size=file.size,
        )
        from samskab.recordings.tasks import package_upload

        transaction.on_commit(lambda: package_upload.enqueue(upload_id=upload.pk))
    return upload


def incoming_path(suffix: str) -> Path:
    folder = storage.incoming_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffix}"


class _Percent:
    """Stores a job's percent when it changes (not on every progress line)."""

    def __init__(self, model, pk: int, total_ms: int | None, *, start: int = 0, span: int = 100):
        self.model, self.pk, self.total = model, pk, total_ms or 0
        self.start, self.span, self.last = start, span, -1

    def __call__(self, done_ms: int) -> None:
        if not self.total:
            return
        percent = self.start + min(self.span, self.span * done_ms // self.total)
        percent = min(99, percent)
        if percent != self.last:
            self.last = percent
            self.model.objects.filter(pk=self.pk).update(percent=percent)


def upload_package(upload: Upload) -> None:
    """Package the staged file as the meeting's HLS recording and keep the original.

    The staged upload is kept until packaging has succeeded: a failure leaves it for
    "Try again" on the recording page, and a worker that stops halfway hands the job back
    (TaskInterrupted), so it is done again from the same file."""
    meeting = upload.meeting
    staged = Path(upload.staged_path)
    Upload.objects.filter(pk=upload.pk).update(status=Job.RUNNING, percent=0, error="")
    work: Path | None = None
    try:
        if not storage.fetch(staged) or not staged.is_file():
            raise MediaError("the uploaded file is gone")
        work = _work_folder(meeting.pk)
        engine.run_job(
            commands.hls_package_args(str(staged), str(work), copy=upload.copied),
            on_progress=_Percent(Upload, upload.pk, upload.duration_ms),
        )
        masters = storage.masters_folder(meeting.pk)
        storage.remove_tree(masters)
        masters.mkdir(parents=True)
        storage.move(
            staged, masters / f"master{staged.suffix if staged.suffix != '.bin' else '.mkv'}"
        )
        storage.release(masters)
        _install_package(meeting, work)
    except TaskInterrupted:
        _work_remove(work)
        Upload.objects.filter(pk=upload.pk).update(status=Job.WAITING, percent=0)
        log(
            meeting,
            ArchiveLogEntry.Action.FAILED,
            gettext_noop("Upload %(upload)s: interrupted, queued again"),
            upload=upload.pk,
        )
        raise
    except (MediaError, OSError) as error:
        # OSError: a folder the process may not write (the unit's ReadWritePaths), a full
        # disk. The upload is marked failed, never left "being prepared" for ever.
        _work_remove(work)
        Upload.objects.filter(pk=upload.pk).update(
            status=Job.FAILED, error=str(error), finished_at=timezone.now()
        )
        log(
            meeting,
            ArchiveLogEntry.Action.FAILED,
            gettext_noop("Upload %(upload)s: %(error)s"),
            upload=upload.pk,
            error=str(error),
        )
        if isinstance(error, OSError):
            raise  # the task shows as failed to staff too
        return
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            video_kind=Meeting.VideoKind.UPLOAD,
            video_url="",
            duration_ms=upload.duration_ms,
            updated_at=timezone.now(),
        )
        ArchiveState.objects.filter(meeting=meeting).update(removed_at=None)
        Upload.objects.filter(pk=upload.pk).update(
            status=Job.DONE, percent=100, staged_path="", finished_at=timezone.now()
        )
        how = gettext_noop("copied as it was") if upload.copied else gettext_noop("re-encoded")
        set_aside = _clips_set_aside(meeting)
        log(
            meeting,
            ArchiveLogEntry.Action.PACKAGED,
            gettext_noop("Upload %(upload)s, %(how)s; %(clips)s clips set aside"),
            by=upload.created_by,
            upload=upload.pk,
            how=how,
            clips=len(set_aside),
        )
    for clip_id in set_aside:
        storage.remove_file(storage.clip_mp4_path(meeting.pk, clip_id))
    meeting.refresh_from_db()
    thumbnails_make(meeting)


def _clips_set_aside(meeting: Meeting) -> list[int]:
    """The clips cut from the video an upload replaced: their times point into the old
    video, and the new one may start elsewhere or be another take, so re-cutting them
    blindly could show the wrong words. They leave the site (page, playlist, download)
    until an editor checks the times and cuts them again, or deletes them (finding 19)."""
    clips = Clip.objects.filter(meeting=meeting, video_replaced_at__isnull=True)
    ids = list(clips.values_list("pk", flat=True))
    Clip.objects.filter(pk__in=ids).update(
        video_replaced_at=timezone.now(),
        mp4_status=Job.FAILED,
        mp4_error="the video it was cut from was replaced",
    )
    return ids


def _work_remove(work: Path | None) -> None:
    if work is not None:
        shutil.rmtree(work, ignore_errors=True)


def upload_retry(*, upload: Upload, by) -> Upload:
    """Queue a failed upload again, from the file kept since it was uploaded."""
    if upload.status != Job.FAILED:
        raise ValidationError(_("Only an upload that failed can be tried again."))
    if not upload.staged_path or not storage.exists(Path(upload.staged_path)):
        raise ValidationError(_("The uploaded file is gone. Upload the recording again."))
    if _busy(upload.meeting):
        raise ValidationError(
            _("The meeting's recording is being processed. Wait until it is done.")
        )
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(
            status=Job.WAITING, percent=0, error="", finished_at=None
        )
        log(
            upload.meeting,
            ArchiveLogEntry.Action.UPLOADED,
            gettext_noop("Upload %(upload)s: prepared again"),
            by=by,
            upload=upload.pk,
        )
        from samskab.recordings.tasks import package_upload

        transaction.on_commit(lambda: package_upload.enqueue(upload_id=upload.pk))
    upload.refresh_from_db()
    return upload


def upload_clear(*, upload: Upload, by) -> Upload:
    """Give up an upload that failed or is stuck: its file is deleted and the meeting takes
    new uploads again. A stuck one is one no worker is packaging (the page says when)."""
    if upload.status == Job.DONE:
        raise ValidationError(_("This upload is done; there is nothing to clear."))
    with transaction.atomic():
        if upload.staged_path:
            storage.remove_file(Path(upload.staged_path))
        Upload.objects.filter(pk=upload.pk).update(
            status=Job.FAILED,
            staged_path="",
            error=upload.error or _("Cleared by staff."),
            finished_at=timezone.now(),
        )
        log(
            upload.meeting,
            ArchiveLogEntry.Action.FAILED,
            gettext_noop("Upload %(upload)s: cleared"),
            by=by,
            upload=upload.pk,
        )
    upload.refresh_from_db()
    return upload


def thumbnails_make(meeting: Meeting) -> None:
    """The first few share pictures, so link previews do not wait for ffmpeg."""
    for second in THUMBNAIL_SECONDS:
        if meeting.duration_ms and second * 1000 < meeting.duration_ms:
            thumbnails.thumbnail_make(
                meeting=meeting, second=thumbnails.thumbnail_second(meeting, second)
            )


def _work_folder(meeting_id: int) -> Path:
    work = storage.private_root() / "work" / f"{meeting_id}-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    return work


def _install_package(meeting: Meeting, work: Path) -> None:
    """Replace the meeting's public HLS package (and its thumbnails) with the one in `work`."""
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True, exist_ok=True)
    storage.remove_package(meeting.pk)
    for each in sorted(work.iterdir(), key=lambda p: p.name == PLAYLIST):  # playlist last
        paths.move(each, folder / each.name)
    work.rmdir()
    storage.publish(folder)  # object storage: upload (playlist last), keep no local copy


# --- Clips ------------------------------------------------------------------------------


def clip_create(
    *,
    meeting: Meeting,
    start_ms: int,
    end_ms: int,
    title: str,
    by,
    source_kind: str = Clip.Source.RANGE,
    agenda_item: AgendaItem | None = None,
    person: Person | None = None,
) -> Clip:
    _check_clip_range(meeting, start_ms, end_ms)
    with transaction.atomic():
        clip = Clip.objects.create(
            meeting=meeting,
            start_ms=start_ms,
            end_ms=end_ms,
            title=title[:200],
            source_kind=source_kind,
            agenda_item=agenda_item,
            person=person,
            created_by=by,
        )
        log(
            meeting,
            ArchiveLogEntry.Action.CLIP,
            gettext_noop("Clip %(clip)s, %(start)s–%(end)s"),
            by=by,
            clip=clip.pk,
            start=_clock(start_ms),
            end=_clock(end_ms),
        )
        _enqueue_clip(clip)
    return clip


def _check_clip_range(meeting: Meeting, start_ms: int, end_ms: int) -> None:
    """A clip is cut from the meeting's own, visible video, and lies within it."""
    if storage.master_file(meeting) is None:
        raise ValidationError(_("This meeting has no recording of its own to clip."))
    _check_not_hidden(meeting)
    if end_ms <= start_ms:
        raise ValidationError(_("The clip must end after it starts."))
    if _beyond_the_video(meeting, end_ms):
        raise ValidationError(_("The clip must lie within the recording."))


def clip_recut(*, clip: Clip, start_ms: int, end_ms: int, by) -> Clip:
    """Cut a clip set aside by a new upload again, from the new video, at the times staff
    checked (the same or corrected); it is back on the site at once, its MP4 follows."""
    meeting = clip.meeting
    if clip.video_replaced_at is None:
        raise ValidationError(_("This clip is made from the meeting's current video."))
    _check_clip_range(meeting, start_ms, end_ms)
    with transaction.atomic():
        Clip.objects.filter(pk=clip.pk).update(
            start_ms=start_ms,
            end_ms=end_ms,
            video_replaced_at=None,
            mp4_status=Job.WAITING,
            mp4_error="",
        )
        clip.refresh_from_db()
        log(
            meeting,
            ArchiveLogEntry.Action.CLIP,
            f"clip {clip.pk} cut again {start_ms}-{end_ms} ms",
            by=by,
        )
        _enqueue_clip(clip)
    return clip


def _beyond_the_video(meeting: Meeting, end_ms: int) -> bool:
    # The video's own end, not when "End" was pressed (review finding 17: a clip 0:20-1:00
    # of a 0:26 video was accepted and its MP4 held 1.6 KB).
    end = video_end_ms(meeting) or meeting.duration_ms
    return bool(end and end_ms > end)


def _enqueue_clip(clip: Clip) -> None:
    from samskab.recordings.tasks import render_clip

    transaction.on_commit(lambda: render_clip.enqueue(clip_id=clip.pk))


def clip_render(clip: Clip) -> None:
    """Cut the clip's MP4 precisely from the master and keep it beside the meeting's video
    (a smart cut where the master allows: see clipping)."""
    source = storage.master_file(clip.meeting)
    Clip.objects.filter(pk=clip.pk).update(mp4_status=Job.RUNNING)
    target = storage.clip_mp4_path(clip.meeting_id, clip.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part.mp4")
    try:
        if source is None:
            raise MediaError("the meeting has no recording")
        storage.fetch_source(source)
        how = clipping.clip_mp4_make(source, partial, start_ms=clip.start_ms, end_ms=clip.end_ms)
        partial.replace(target)
        storage.publish(target)
        logger.info("clip %s: MP4 made (%s)", clip.pk, how)
    except TaskInterrupted:
        partial.unlink(missing_ok=True)
        Clip.objects.filter(pk=clip.pk).update(mp4_status=Job.WAITING)
        raise
    except MediaError as error:
        partial.unlink(missing_ok=True)
        Clip.objects.filter(pk=clip.pk).update(mp4_status=Job.FAILED, mp4_error=str(error))
        log(
            clip.meeting,
            ArchiveLogEntry.Action.FAILED,
            gettext_noop("Clip %(clip)s: %(error)s"),
            clip=clip.pk,
            error=str(error),
        )
        return
    finally:
        if source is not None:
            storage.release_source(source)
    Clip.objects.filter(pk=clip.pk).update(mp4_status=Job.DONE, mp4_error="")


def clip_playlist(clip: Clip) -> tuple[str, int] | None:
    """The clip as an HLS playlist over the meeting's own segments, and the offset (ms) into
    it where the clip starts; None when the meeting's package is not there."""
    text = storage.read_text(storage.playlist_path(clip.meeting_id))
    if text is None:
        return None
    segments = commands.hls_segments(text)
    prefix = f"{settings.MEDIA_URL}webcasts/{clip.meeting_id}/"
    try:
        return commands.clip_playlist(
            segments, start_ms=clip.start_ms, end_ms=clip.end_ms, prefix=prefix
        )
    except ValueError:
        return None


# --- Redaction --------------------------------------------------------------------------


def redaction_request(
    *, meeting: Meeting, start_ms: int, end_ms: int, mode: str, reason: str, by
) -> Redaction:
    if storage.master_file(meeting) is None:
        raise ValidationError(_("This meeting has no recording of its own to redact."))
    _check_not_hidden(meeting)
    if end_ms <= start_ms:
        raise ValidationError(_("The range must end after it starts."))
    if _beyond_the_video(meeting, end_ms):
        raise ValidationError(_("The range must lie within the recording."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the redaction."))
    if _busy(meeting):
        raise ValidationError(
            _("The meeting's recording is being processed. Wait until it is done.")
        )
    with transaction.atomic():
        redaction = Redaction.objects.create(
            meeting=meeting,
            start_ms=start_ms,
            end_ms=end_ms,
            mode=mode,
            reason=reason,
            created_by=by,
        )
        log(
            meeting,
            ArchiveLogEntry.Action.REDACTED,
            gettext_noop("Requested: %(how)s %(start)s–%(end)s, because: %(reason)s"),
            by=by,
            how=REDACTION_WORDS.get(mode, mode),
            start=_clock(start_ms),
            end=_clock(end_ms),
            reason=reason,
        )
        from samskab.recordings.tasks import apply_redaction

        transaction.on_commit(lambda: apply_redaction.enqueue(redaction_id=redaction.pk))
    return redaction


def redaction_apply(redaction: Redaction) -> None:
    """Rebuild the master and the HLS package without the range; old files leave the disk."""
    meeting = redaction.meeting
    Redaction.objects.filter(pk=redaction.pk).update(status=Job.RUNNING, percent=0)
    source = storage.master_file(meeting)
    masters = storage.masters_folder(meeting.pk)
    masters.mkdir(parents=True, exist_ok=True)
    new_master = masters / f"redacted-{redaction.pk}.partial.mkv"
    try:
        if source is None:
            raise MediaError("the meeting has no recording")
        storage.fetch_source(source)
        engine.run_job(
            commands.redact_args(
                str(source), str(new_master),
                ranges=[(redaction.start_ms, redaction.end_ms)], mode=redaction.mode,
            ),
            on_progress=_Percent(Redaction, redaction.pk, meeting.duration_ms, span=80),
        )  # fmt: skip
        work = _work_folder(meeting.pk)
        engine.run_job(commands.hls_package_args(str(new_master), str(work), copy=True))
        duration = (engine.probe(new_master) or commands.Probe("", None, None, None)).duration_ms
    except TaskInterrupted:
        new_master.unlink(missing_ok=True)
        if source is not None:
            storage.release_source(source)
        Redaction.objects.filter(pk=redaction.pk).update(status=Job.WAITING, percent=0)
        raise
    except MediaError as error:
        new_master.unlink(missing_ok=True)
        if source is not None:
            storage.release_source(source)
        Redaction.objects.filter(pk=redaction.pk).update(
            status=Job.FAILED, error=str(error), finished_at=timezone.now()
        )
        log(
            meeting,
            ArchiveLogEntry.Action.FAILED,
            gettext_noop("Redaction %(redaction)s: %(error)s"),
            redaction=redaction.pk,
            error=str(error),
        )
        return
    # The old master and package hold the redacted range: they leave the disk now.
    for old in masters.iterdir():
        if old != new_master:
            old.unlink()
    objectstore.remove_except(masters, {new_master.name})
    folder = media_folder(meeting.pk)
    for name in storage.INGEST_MASTERS:
        storage.remove_file(folder / name)
    new_master.rename(masters / "master.mkv")
    storage.publish(masters / "master.mkv")
    storage.release_source(source)
    _install_package(meeting, work)
    cut = redaction.end_ms - redaction.start_ms if redaction.mode == Redaction.Mode.CUT else 0
    with transaction.atomic():
        shifted = _marks_shift(meeting, redaction) if cut else 0
        cues_removed = _captions_redact(meeting, redaction)
        clips = _clips_adjust(meeting, redaction)
        Meeting.objects.filter(pk=meeting.pk).update(
            duration_ms=duration or max(0, (meeting.duration_ms or 0) - cut),
            updated_at=timezone.now(),
        )
        Redaction.objects.filter(pk=redaction.pk).update(
            status=Job.DONE, percent=100, marks_shifted=shifted, finished_at=timezone.now()
        )
        log(
            meeting,
            ArchiveLogEntry.Action.REDACTED,
            gettext_noop(
                "Done: %(how)s %(start)s–%(end)s; marks moved: %(marks)s, caption cues "
                "removed: %(cues)s, clips made again: %(clips)s"
            ),
            by=redaction.created_by,
            how=REDACTION_WORDS.get(redaction.mode, redaction.mode),
            start=_clock(redaction.start_ms),
            end=_clock(redaction.end_ms),
            marks=shifted,
            cues=cues_removed,
            clips=clips,
        )
    meeting.refresh_from_db()
    thumbnails_make(meeting)


def _shift(offset: int, start: int, end: int) -> int:
    """Where a moment lands after [start, end) is cut out (inside the range: at its start)."""
    if offset >= end:
        return offset - (end - start)
    return min(offset, start)


def _marks_shift(meeting: Meeting, redaction: Redaction) -> int:
    from samskab.webcasts.services import speaker_turns_rebuild

    start, end = redaction.start_ms, redaction.end_ms
    marks = list(TimelineMark.objects.filter(meeting=meeting, offset_ms__gt=start))
    for mark in marks:
        mark.offset_ms = _shift(mark.offset_ms, start, end)
    TimelineMark.objects.bulk_update(marks, ["offset_ms"])
    speaker_turns_rebuild(meeting=meeting)
    return len(marks)


def _captions_redact(meeting: Meeting, redaction: Redaction) -> int:
    """Rewrite the captions as the recording now is: the cues touching the range go from
    the served WebVTT file and from search, and with a cut the later cues move back. The
    file gets a new name, so no browser or proxy keeps showing the old one, and the old
    file (with the redacted words) leaves the disk after the commit."""
    from django.core.files.base import ContentFile

    from samskab.webcasts import vtt
    from samskab.webcasts.models import CaptionCue, Captions

    start, end = redaction.start_ms, redaction.end_ms
    cut = redaction.mode == Redaction.Mode.CUT
    removed = CaptionCue.objects.filter(meeting=meeting, start_ms__lt=end, end_ms__gt=start)
    count = removed.delete()[0]
    if cut:
        cues = list(CaptionCue.objects.filter(meeting=meeting, start_ms__gte=end))
        for cue in cues:
            cue.start_ms, cue.end_ms = cue.start_ms - (end - start), cue.end_ms - (end - start)
        CaptionCue.objects.bulk_update(cues, ["start_ms", "end_ms"])
    for captions in Captions.objects.filter(meeting=meeting):
        old_name = captions.vtt.name
        try:
            with captions.vtt.open("rb") as file:
                text = file.read().decode("utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError):
            logger.exception("Captions %s could not be read for redaction", captions.pk)
            text = vtt.captions_vtt(
                (c.start_ms, c.end_ms, c.text) for c in captions.cues.order_by("start_ms")
            )
        else:
            text = vtt.redact(text, start_ms=start, end_ms=end, cut=cut)
        captions.vtt.save(
            f"{meeting.pk}-{captions.language}.vtt", ContentFile(text.encode()), save=False
        )
        captions.text = vtt.parse(text).text
        captions.save(update_fields=["vtt", "text"])
        if old_name and old_name != captions.vtt.name:
            transaction.on_commit(functools.partial(captions.vtt.storage.delete, old_name))
    return count


def _clips_adjust(meeting: Meeting, redaction: Redaction) -> int:
    """Clips touching the range are remade (or deleted when nothing is left); with a cut,
    the clips after it move with the recording."""
    start, end = redaction.start_ms, redaction.end_ms
    remade = 0
    # A clip set aside by a new upload keeps its times until staff cut it again.
    for clip in Clip.objects.filter(meeting=meeting, end_ms__gt=start, video_replaced_at=None):
        overlaps = clip.start_ms < end
        if redaction.mode == Redaction.Mode.CUT:
            clip.start_ms, clip.end_ms = (
                _shift(clip.start_ms, start, end),
                _shift(clip.end_ms, start, end),
            )
        if clip.end_ms <= clip.start_ms:
            storage.remove_file(storage.clip_mp4_path(meeting.pk, clip.pk))
            clip.delete()
            continue
        if overlaps:
            storage.remove_file(storage.clip_mp4_path(meeting.pk, clip.pk))
            clip.mp4_status = Job.WAITING
            _enqueue_clip(clip)
            remade += 1
        clip.save(update_fields=["start_ms", "end_ms", "mp4_status"])
    return remade


# --- Hiding and showing -----------------------------------------------------------------


class FilesNotMoved(ValidationError):
    """The recording's files could not be moved; nothing was changed."""


def _move_or_refuse(source: Path, target: Path, meeting: Meeting) -> bool:
    """Move a recording's folder; a failure (a folder the process may not write) refuses the
    whole change, so the database never says hidden while the files are still served."""
    try:
        if not storage.exists(source):
            return False
        if storage.exists(target):
            storage.remove_tree(target)
        storage.move(source, target)
    except OSError:
        logger.exception("Meeting %s: moving %s to %s failed", meeting.pk, source, target)
        raise FilesNotMoved(
            _("The recording's files could not be moved, so nothing was changed. The "
              "server's log says why; tell your operations team.")
        ) from None  # fmt: skip
    return True


def recording_unpublish(*, meeting: Meeting, by) -> ArchiveState:
    """Hide the recording at once: the player shows a notice, the files leave MEDIA_ROOT.

    The files move first and the database changes after, in one transaction with the move
    undone if the database fails: whatever happens, a meeting reads as hidden only when its
    files can no longer be fetched."""
    folder, hidden = media_folder(meeting.pk), storage.hidden_folder(meeting.pk)
    with transaction.atomic():
        state = archive_state(meeting)
        state = ArchiveState.objects.select_for_update().get(pk=state.pk)
        if state.is_unpublished:
            return state
        moved = _move_or_refuse(folder, hidden, meeting)
        try:
            state.is_unpublished = True
            state.unpublished_at = timezone.now()
            state.hidden_video_kind = meeting.video_kind
            state.hidden_video_url = meeting.video_url
            state.save()
            Meeting.objects.filter(pk=meeting.pk).update(
                video_kind=Meeting.VideoKind.NONE, video_url="", updated_at=timezone.now()
            )
            log(meeting, ArchiveLogEntry.Action.UNPUBLISHED, "", by=by)
        except Exception:
            if moved:
                storage.move(hidden, folder)
            raise
    meeting.refresh_from_db()
    return state


def recording_publish(*, meeting: Meeting, by) -> ArchiveState:
    hidden, folder = storage.hidden_folder(meeting.pk), media_folder(meeting.pk)
    with transaction.atomic():
        state = archive_state(meeting)
        state = ArchiveState.objects.select_for_update().get(pk=state.pk)
        if not state.is_unpublished:
            return state
        moved = _move_or_refuse(hidden, folder, meeting)
        try:
            Meeting.objects.filter(pk=meeting.pk).update(
                video_kind=state.hidden_video_kind or Meeting.VideoKind.NONE,
                video_url=state.hidden_video_url,
                updated_at=timezone.now(),
            )
            state.is_unpublished = False
            state.unpublished_at = None
            state.hidden_video_kind = ""
            state.hidden_video_url = ""
            state.save()
            log(meeting, ArchiveLogEntry.Action.PUBLISHED, "", by=by)
        except Exception:
            if moved:
                storage.move(folder, hidden)
            raise
    meeting.refresh_from_db()
    return state


# --- Retention --------------------------------------------------------------------------


def retention_set(*, meeting: Meeting, mode: str, days: int | None, by) -> ArchiveState:
    if mode == Retention.DAYS and days is None:
        raise ValidationError(_("Give the number of days."))
    state = archive_state(meeting)
    state.retention_mode = mode
    state.retention_days = days if mode == Retention.DAYS else None
    state.save(update_fields=["retention_mode", "retention_days"])
    log(
        meeting,
        ArchiveLogEntry.Action.RETENTION,
        RETENTION_WORDS.get(mode or "", mode),
        by=by,
        days=days,
    )
    return state


def retention_of(meeting: Meeting) -> tuple[str, int | None]:
    state = ArchiveState.objects.filter(meeting=meeting).first() or ArchiveState(meeting=meeting)
    policy = RetentionPolicy.objects.filter(body_id=meeting.body_id).first()
    return state.effective_retention(policy)


def retention_due(now: datetime | None = None) -> list[Meeting]:
    """Meetings whose recording is due for removal and still has one."""
    now = now or timezone.now()
    policies = {p.body_id: p for p in RetentionPolicy.objects.all()}
    candidates = (
        Meeting.objects.exclude(status=Meeting.Status.LIVE)
        .filter(starts_at__lte=now)
        .exclude(archive__removed_at__isnull=False)
        .select_related("archive", "body")
    )
    due = []
    for meeting in candidates.iterator():
        state = getattr(meeting, "archive", None) or ArchiveState(meeting=meeting)
        has_video = (
            meeting.video_kind != Meeting.VideoKind.NONE
            or state.is_unpublished
            or storage.exists(media_folder(meeting.pk))
            or storage.exists(storage.masters_folder(meeting.pk))
        )
        if not has_video:
            continue
        mode, days = state.effective_retention(policies.get(meeting.body_id))
        when = retention_due_at(meeting, mode, days)
        if when is not None and when <= now:
            due.append(meeting)
    return due


def recording_remove(
    *, meeting: Meeting, reason: str, reason_params: dict | None = None, by=None
) -> int:
    """Delete the recording: video, segments, thumbnails, clips, master. The agenda stays.
    `reason` is a msgid (gettext_noop) for the archive log, with its values in
    `reason_params`."""
    files = 0
    for folder in (
        media_folder(meeting.pk),
        storage.hidden_folder(meeting.pk),
        storage.masters_folder(meeting.pk),
    ):
        files += storage.remove_tree(folder)
    with transaction.atomic():
        clips = Clip.objects.filter(meeting=meeting).delete()[0]
        state = archive_state(meeting)
        state.removed_at = timezone.now()
        state.is_unpublished = False
        state.hidden_video_kind = state.hidden_video_url = ""
        state.save()
        Meeting.objects.filter(pk=meeting.pk).update(
            video_kind=Meeting.VideoKind.NONE, video_url="", updated_at=timezone.now()
        )
        log(
            meeting,
            ArchiveLogEntry.Action.REMOVED,
            gettext_noop("%(reason_msgid)s; files removed: %(files)s, clips removed: %(clips)s"),
            by=by,
            reason_msgid=reason,
            files=files,
            clips=clips,
            **(reason_params or {}),
        )
    meeting.refresh_from_db()
    return files


RETENTION_LOCK = "recordings.retention"


def retention_run(now: datetime | None = None) -> list[Meeting]:
    """Remove what is due. It holds a lock in the database while it runs, so the timers of
    two hosts never remove at once; the second raises locks.LockHeld."""
    removed = []
    with locks.exclusive(RETENTION_LOCK):
        for meeting in retention_due(now):
            mode, days = retention_of(meeting)
            recording_remove(
                meeting=meeting,
                reason=(
                    gettext_noop("by the retention rule: its number of days (%(days)s) passed")
                    if mode == Retention.DAYS
                    else gettext_noop("by the retention rule: no archive")
                ),
                reason_params={"days": days},
            )
            removed.append(meeting)
    return removed
