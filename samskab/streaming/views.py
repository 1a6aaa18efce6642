"""The operator console's streaming panel: encoder settings and the destinations' states."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samskab.media.commands import SRT_LATENCY_MS
from samskab.streaming import selectors, services
from samskab.streaming.ingest import APP
from samskab.streaming.models import MeetingStream
from samskab.webcasts.models import Meeting
from samskab.webcasts.views_console import meeting_for

PERMISSION = "webcasts.operate_meeting"


def encoder_url(request: HttpRequest | None) -> str:
    """The server address an encoder is given (the stream key goes in its own field)."""
    if settings.STREAM_INGEST_URL:
        return settings.STREAM_INGEST_URL.rstrip("/")
    host = request.get_host().rsplit(":", 1)[0] if request is not None else "127.0.0.1"
    return f"rtmp://{host}:1935/{APP}"


def srt_url(request: HttpRequest | None, stream: MeetingStream | None) -> str:
    """srt://host:port for the meeting's SRT encoder, or "" while it has no port."""
    if stream is None or stream.srt_port is None:
        return ""
    host = urlsplit(encoder_url(request)).hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"srt://{host}:{stream.srt_port}"


def streaming_context(request: HttpRequest | None, meeting: Meeting) -> dict:
    stream = MeetingStream.objects.filter(meeting=meeting).first()
    srt = srt_url(request, stream)
    return {
        "meeting": meeting,
        "stream": stream,
        "encoder_url": encoder_url(request),
        "srt_url": srt,
        # OBS takes the options in the address; latency in microseconds.
        "srt_obs_url": (
            f"{srt}?passphrase={stream.key}&latency={SRT_LATENCY_MS * 1000}"
            if srt and stream
            else ""
        ),
        "srt_latency_ms": SRT_LATENCY_MS,
        "existing": selectors.existing_recording(meeting),
        "destinations": selectors.console_destinations(meeting),
        "poll_url": reverse("streaming:console", kwargs={"pk": meeting.pk}),
    }


@login_required
@require_GET
def console_streaming(request: HttpRequest, pk: int) -> HttpResponse:
    """The destinations' states; the console asks for it every few seconds (htmx)."""
    meeting = meeting_for(request, pk, PERMISSION)
    return render(
        request, "streaming/partials/destinations.html", streaming_context(request, meeting)
    )


@login_required
@require_POST
def stream_key_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, PERMISSION)
    had_key = MeetingStream.objects.filter(meeting=meeting).exists()
    services.stream_key_rotate(meeting=meeting)
    if had_key:
        messages.success(
            request,
            _(
                "The meeting has a new stream key. Enter it in the encoder; "
                "the old one no longer works."
            ),
        )
    else:
        messages.success(request, _("The meeting has a stream key. Enter it in the encoder."))
    return redirect(reverse("webcasts:console", kwargs={"pk": meeting.pk}) + "#console-streaming")


@login_required
@require_POST
def recording_choice(request: HttpRequest, pk: int) -> HttpResponse:
    """Continue or replace the recording when the encoder sends into a meeting that has one."""
    meeting = meeting_for(request, pk, PERMISSION)
    choice = request.POST.get("choice", "")
    existing = selectors.existing_recording(meeting)
    allowed = {MeetingStream.RecordingChoice.ASK.value}
    if existing is not None and existing.can_continue:
        allowed.add(MeetingStream.RecordingChoice.CONTINUE.value)
    if existing is not None and existing.can_replace:
        allowed.add(MeetingStream.RecordingChoice.REPLACE.value)
    if choice not in allowed:
        messages.error(request, _("That choice is not possible for this meeting's recording."))
    else:
        services.recording_choice_set(meeting=meeting, choice=choice)
        messages.success(
            request,
            {
                "continue": _("The next feed from the encoder continues the recording."),
                "replace": _(
                    "The next feed from the encoder replaces the recording; "
                    "the old one is deleted when it starts."
                ),
                "": _("A new feed from the encoder is refused while the meeting has a recording."),
            }[choice],
        )
    return redirect(reverse("webcasts:console", kwargs={"pk": meeting.pk}) + "#console-streaming")
