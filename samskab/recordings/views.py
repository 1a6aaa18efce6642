"""Staff pages for a meeting's recording (upload, hide, retention, redaction, clips) and
the public clip pages. Every action is a plain form POST (post, redirect, get)."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from samskab.core import objectstore
from samskab.recordings import services, storage
from samskab.recordings.models import ArchiveState, Clip, Job, Redaction, Retention, Upload
from samskab.webcasts import thumbnails
from samskab.webcasts.models import Meeting
from samskab.webcasts.player import HLS_SCRIPT
from samskab.webcasts.selectors import meeting_index, video_end_ms
from samskab.webcasts.timecode import format_offset_ms, parse_offset_ms
from samskab.webcasts.views_console import meeting_for

UPLOAD_ACCEPT = "video/mp4,video/quicktime,video/x-matroska,.mp4,.mov,.mkv,.m4v"


logger = logging.getLogger(__name__)


def _has_master(meeting: Meeting) -> bool:
    """Whether the meeting has video of its own to cut; False (logged) while the object
    store cannot be asked, so the page still opens and says what it can."""
    try:
        return storage.master_file(meeting) is not None
    except OSError:
        logger.exception("Meeting %s: asking the object store for the master failed", meeting.pk)
        return False


def first_error(error: ValidationError) -> str:
    return str(error.messages[0]) if error.messages else _("The form is not valid.")


class TimecodeField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        offset = parse_offset_ms(value)
        if offset is None:
            raise ValidationError(
                _("Write the time as hours:minutes:seconds, for example 0:12:30."), code="time"
            )
        return offset


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Recording (MP4, MOV or MKV)"))
    # Ticked to replace the video the meeting has (the page asks only then; finding 19).
    replace = forms.BooleanField(required=False)


class RangeForm(forms.Form):
    start = TimecodeField(label=gettext_lazy("From"))
    end = TimecodeField(label=gettext_lazy("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            raise ValidationError(_("The end must come after the start."))
        return data


class RedactionForm(RangeForm):
    mode = forms.ChoiceField(
        label=gettext_lazy("How"), choices=Redaction.Mode, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RetentionForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Archive"),
        choices=[("", gettext_lazy("As the body's policy")), *Retention.choices],
        required=False,
    )
    days = forms.IntegerField(label=gettext_lazy("Days"), min_value=0, required=False)


class ClipForm(RangeForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)


def selectors_tasks(meeting: Meeting) -> list[dict]:
    """The background tasks of this meeting's recording, newest first, with their state as
    the worker last wrote it (staff see a stuck or failed one here)."""
    from django_tasks_db.models import DBTaskResult

    labels = {
        "package_upload": _("Preparing an upload for the player"),
        "render_clip": _("Making a clip's video file"),
        "apply_redaction": _("Removing a range from the recording"),
    }
    names = tuple(labels)
    ids = {
        "upload_id": set(Upload.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        "clip_id": set(Clip.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        "redaction_id": set(Redaction.objects.filter(meeting=meeting).values_list("pk", flat=True)),
    }
    rows = []
    recent = DBTaskResult.objects.filter(
        task_path__in=[f"samskab.recordings.tasks.{name}" for name in names]
    ).order_by("-enqueued_at")[:200]
    for result in recent:
        kwargs = (result.args_kwargs or {}).get("kwargs", {})
        if any(kwargs.get(key) in wanted for key, wanted in ids.items()):
            rows.append(
                {
                    "label": labels[result.task_path.rsplit(".", 1)[-1]],
                    "state": result.get_status_display(),
                    "enqueued_at": result.enqueued_at,
                    "finished_at": result.finished_at,
                }
            )
    return rows[:10]


def recording_context(meeting: Meeting) -> dict:
    state = ArchiveState.objects.filter(meeting=meeting).first()
    mode, days = services.retention_of(meeting)
    clips = list(Clip.objects.filter(meeting=meeting))
    return {
        "meeting": meeting,
        "state": state,
        "upload": Upload.objects.filter(meeting=meeting).first(),
        "tasks": selectors_tasks(meeting),
        "redactions": list(Redaction.objects.filter(meeting=meeting)[:20]),
        "clips": clips,
        "clips_current": sum(1 for clip in clips if clip.video_replaced_at is None),
        "has_master": _has_master(meeting),
        "retention_mode": mode,
        "retention_days": days,
        "retention_label": dict(Retention.choices).get(mode, ""),
        "max_upload_mb": services.max_upload_bytes() // (1024 * 1024),
        "accept": UPLOAD_ACCEPT,
        "upload_form": UploadForm(),
        "redaction_form": RedactionForm(initial={"mode": Redaction.Mode.BLACK}),
        "retention_form": RetentionForm(
            initial={
                "mode": state.retention_mode if state else "",
                "days": state.retention_days if state else None,
            }
        ),
    }


@login_required
@require_GET
def recording(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    return render(request, "recordings/recording.html", recording_context(meeting))


@login_required
@require_GET
def recording_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone; htmx polls it while something is being processed."""
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    return render(request, "recordings/partials/progress.html", recording_context(meeting))


@login_required
@require_POST
def recording_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a recording to upload."))
        return redirect("recordings:recording", pk=meeting.pk)
    if _has_master(meeting) and not form.cleaned_data["replace"]:
        messages.error(
            request,
            _(
                "The meeting has a video already. Tick that the upload replaces it, and that "
                "its clips go off the site until you cut them again."
            ),
        )
        return redirect("recordings:recording", pk=meeting.pk)
    try:
        services.upload_accept(meeting=meeting, file=form.cleaned_data["file"], by=request.user)
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(
            request, _("The recording is uploaded. It is being prepared for the player.")
        )
    return redirect("recordings:recording", pk=meeting.pk)


@login_required
@require_POST
def upload_again(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    """Try a failed upload again, or clear a failed or stuck one (the form's `action`)."""
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    upload = get_object_or_404(Upload, pk=upload_pk, meeting=meeting)
    try:
        if request.POST.get("action") == "clear":
            services.upload_clear(upload=upload, by=request.user)
            messages.success(request, _("The upload is cleared. You can upload a recording again."))
        else:
            services.upload_retry(upload=upload, by=request.user)
            messages.success(request, _("The upload is being prepared again."))
    except ValidationError as error:
        messages.error(request, first_error(error))
    return redirect("recordings:recording", pk=meeting.pk)


@login_required
@require_POST
def recording_hide(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    try:
        services.recording_unpublish(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("The recording is hidden. Visitors see a notice instead."))
    return redirect("recordings:recording", pk=meeting.pk)


@login_required
@require_POST
def recording_show(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    try:
        services.recording_publish(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("The recording is shown again."))
    return redirect("recordings:recording", pk=meeting.pk)


@login_required
@require_POST
def recording_retention(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "recordings.set_retention")
    form = RetentionForm(request.POST)
    if form.is_valid():
        try:
            services.retention_set(
                meeting=meeting,
                mode=form.cleaned_data["mode"],
                days=form.cleaned_data["days"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, first_error(error))
        else:
            messages.success(request, _("The archive period is saved."))
    else:
        messages.error(request, _("Give the number of days as a whole number."))
    return redirect("recordings:recording", pk=meeting.pk)


@login_required
@require_POST
def recording_redact(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    form = RedactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("recordings:recording", pk=meeting.pk)
    data = form.cleaned_data
    try:
        services.redaction_request(
            meeting=meeting,
            start_ms=data["start"],
            end_ms=data["end"],
            mode=data["mode"],
            reason=data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(request, _("The range will be removed. The recording is being rebuilt."))
    return redirect("recordings:recording", pk=meeting.pk)


# --- Clips ------------------------------------------------------------------------------


def clip_choices(meeting: Meeting) -> dict:
    index = meeting_index(meeting)
    end = meeting.duration_ms or index.end_ms
    # Items and turns end where the video does, not where "End" was pressed (finding 17).
    video = video_end_ms(meeting)
    items = []
    for entry in index.items:
        if not entry.is_public or not entry.segments:
            continue
        first, last = entry.segments[0].start_ms, _until(entry.segments[-1].end_ms or end, video)
        if last is None or last <= first:
            continue
        items.append({"item": entry.item, "start_ms": first, "end_ms": last})
    turns = []
    for item, turn in index.turns:
        turn_end = _until(turn.end_ms or end, video)
        if (
            turn_end is None
            or turn_end <= turn.start_ms
            or (item is not None and not item.is_public)
        ):
            continue
        turns.append({"item": item, "turn": turn, "start_ms": turn.start_ms, "end_ms": turn_end})
    return {"items": items, "turns": turns}


def _until(end_ms: int | None, video_ms: int | None) -> int | None:
    if end_ms is None or video_ms is None:
        return end_ms
    return min(end_ms, video_ms)


@login_required
def clip_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose what to clip: an agenda item, a speaker turn, or in and out points."""
    meeting = meeting_for(request, pk, "recordings.make_clip")
    choices = clip_choices(meeting)
    form = ClipForm(
        initial={
            "start": format_offset_ms(_int(request.GET.get("start"))),
            "end": format_offset_ms(_int(request.GET.get("end"))) if request.GET.get("end") else "",
        }
    )
    if request.method == "POST":
        made = _clip_from_post(request, meeting, choices)
        if isinstance(made, Clip):
            messages.success(request, _("The clip is made. Its download is being prepared."))
            return redirect(made.get_absolute_url())
        form = made
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {
        "meeting": meeting,
        "form": form,
        "has_master": _has_master(meeting),
        **choices,
    }
    return render(request, "recordings/clip_new.html", context)


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


def _clip_from_post(request: HttpRequest, meeting: Meeting, choices: dict) -> Clip | ClipForm:
    arguments: dict
    form = ClipForm(request.POST)
    if request.POST.get("item"):
        row = next((r for r in choices["items"] if str(r["item"].pk) == request.POST["item"]), None)
        if row is None:
            raise Http404
        item = row["item"]
        arguments = {
            "start_ms": row["start_ms"],
            "end_ms": row["end_ms"],
            "title": f"{item.number}. {item.title}",
            "source_kind": Clip.Source.ITEM,
            "agenda_item": item,
        }
    elif request.POST.get("turn"):
        row = next(
            (r for r in choices["turns"] if str(r["turn"].mark_id) == request.POST["turn"]), None
        )
        if row is None:
            raise Http404
        person = row["turn"].person
        title = person.shown_name
        if row["item"] is not None:
            title = _("%(name)s on %(item)s") % {"name": title, "item": row["item"].title}
        arguments = {
            "start_ms": row["start_ms"],
            "end_ms": row["end_ms"],
            "title": title,
            "source_kind": Clip.Source.TURN,
            "agenda_item": row["item"],
            "person": person,
        }
    else:
        if not form.is_valid():
            return form
        data = form.cleaned_data
        arguments = {"start_ms": data["start"], "end_ms": data["end"], "title": data["title"]}
    try:
        return services.clip_create(meeting=meeting, by=request.user, **arguments)
    except ValidationError as error:
        form = ClipForm(request.POST)
        form.is_valid()
        form.add_error(None, first_error(error))
        return form


def visible_clip(request: HttpRequest, pk: int, clip_pk: int) -> Clip:
    clip = get_object_or_404(
        Clip.objects.select_related("meeting", "meeting__body", "person", "agenda_item"),
        pk=clip_pk,
        meeting_id=pk,
    )
    if not request.user.has_perm("webcasts.view_meeting", clip.meeting):
        raise Http404
    return clip


@require_GET
def clip(request: HttpRequest, pk: int, clip_pk: int) -> HttpResponse:
    """A clip's own page: the player over the meeting's segments, the download, share tags."""
    clip = visible_clip(request, pk, clip_pk)
    meeting = clip.meeting
    state = ArchiveState.objects.filter(meeting=meeting).first()
    hidden = state is not None and (state.is_unpublished or state.removed_at is not None)
    # Cut from a video an upload replaced: off the site until staff cut it again.
    set_aside = clip.video_replaced_at is not None
    playable = None if hidden or set_aside else services.clip_playlist(clip)
    url = request.build_absolute_uri(clip.get_absolute_url())
    from django.utils import formats, timezone

    when = formats.date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT")
    context = {
        "clip": clip,
        "meeting": meeting,
        "hidden": hidden or set_aside,
        "set_aside": set_aside,
        "recut_form": RangeForm(
            initial={
                "start": format_offset_ms(clip.start_ms),
                "end": format_offset_ms(clip.end_ms),
            }
        ),
        "can_manage": request.user.has_perm("recordings.manage_recording", meeting),
        "playable": playable is not None,
        "clip_offset_s": f"{(playable[1] if playable else 0) / 1000:.3f}",
        "length_s": f"{clip.duration_ms / 1000:.3f}",
        "hls_script": HLS_SCRIPT,
        "mp4_ready": clip.mp4_status == Job.DONE
        and storage.exists(storage.clip_mp4_path(meeting.pk, clip.pk)),
        "mp4_failed": clip.mp4_status == Job.FAILED,
        "canonical_url": url,
        "share_url": url,
        "share_text": f"{clip.title} – {meeting.title}",
        "share_description": f"{meeting.body.name}. {when}. "
        + _("Clip of %(length)s from the meeting.")
        % {"length": format_offset_ms(clip.duration_ms).split(".")[0]},
        "meeting_at": f"{meeting.get_absolute_url()}?t={clip.start_ms // 1000}",
        "can_clip": request.user.has_perm("recordings.make_clip", meeting),
    }
    if not hidden and not set_aside and thumbnails.thumbnail_available(meeting):
        second = thumbnails.thumbnail_second(meeting, clip.start_ms // 1000)
        context["og_image"] = request.build_absolute_uri(
            reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": second})
        )
    return render(request, "recordings/clip.html", context)


@require_GET
def clip_playlist(request: HttpRequest, pk: int, clip_pk: int) -> HttpResponse:
    clip = visible_clip(request, pk, clip_pk)
    state = ArchiveState.objects.filter(meeting=clip.meeting).first()
    if state is not None and (state.is_unpublished or state.removed_at is not None):
        raise Http404
    if clip.video_replaced_at is not None:
        raise Http404
    playable = services.clip_playlist(clip)
    if playable is None:
        raise Http404
    response = HttpResponse(playable[0], content_type="application/vnd.apple.mpegurl")
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def clip_download(request: HttpRequest, pk: int, clip_pk: int) -> HttpResponse:
    clip = visible_clip(request, pk, clip_pk)
    path = storage.clip_mp4_path(clip.meeting_id, clip.pk)
    if clip.video_replaced_at is not None:
        raise Http404
    if clip.mp4_status != Job.DONE or not storage.exists(path):
        raise Http404
    if objectstore.enabled():
        return objectstore.response(
            path, content_type="video/mp4", cache="", filename=f"klip-{clip.pk}.mp4"
        )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"klip-{clip.pk}.mp4",
        content_type="video/mp4",
    )


@login_required
@require_POST
def clip_recut(request: HttpRequest, pk: int, clip_pk: int) -> HttpResponse:
    """Cut a clip set aside by a new upload again, at the times staff checked."""
    meeting = meeting_for(request, pk, "recordings.manage_recording")
    clip = get_object_or_404(Clip, pk=clip_pk, meeting=meeting)
    form = RangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(clip.get_absolute_url())
    try:
        services.clip_recut(
            clip=clip,
            start_ms=form.cleaned_data["start"],
            end_ms=form.cleaned_data["end"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, first_error(error))
    else:
        messages.success(
            request, _("The clip is back on the site. Its download is being prepared.")
        )
    return redirect(clip.get_absolute_url())
