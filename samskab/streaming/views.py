"""The operator console's streaming panel: encoder settings and the destinations' states."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from samskab.media.commands import SRT_LATENCY_MS
from samskab.streaming import crypto, selectors, services
from samskab.streaming.ingest import APP
from samskab.streaming.models import MeetingStream
from samskab.webcasts.models import Meeting
from samskab.webcasts.views_console import meeting_for

PERMISSION = "webcasts.operate_meeting"
logger = logging.getLogger("samskab.streaming")


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


def srt_obs_url(srt: str, key: str) -> str:
    # OBS takes the options in the address; latency in microseconds.
    return f"{srt}?passphrase={key}&latency={SRT_LATENCY_MS * 1000}" if srt and key else ""


def streaming_context(request: HttpRequest | None, meeting: Meeting) -> dict:
    """The console's streaming panel. The key itself is not in it: the panel shows its last
    four characters, and the operator asks for the whole key (`stream_key_show`)."""
    stream = MeetingStream.objects.filter(meeting=meeting).first()
    srt = srt_url(request, stream)
    return {
        "meeting": meeting,
        "stream": stream,
        "key_hint": crypto.hint(stream.key) if stream else "",
        "encoder_url": encoder_url(request),
        "srt_url": srt,
        "srt_obs_url": srt_obs_url(srt, crypto.hint(stream.key)) if stream else "",
        "srt_latency_ms": SRT_LATENCY_MS,
        "existing": selectors.existing_recording(meeting),
        "destinations": selectors.console_destinations(meeting),
        "poll_url": reverse("streaming:console", kwargs={"pk": meeting.pk}),
    }


@login_required
@never_cache
@require_GET
def console_streaming(request: HttpRequest, pk: int) -> HttpResponse:
    """The destinations' states; the console asks for it every few seconds (htmx)."""
    meeting = meeting_for(request, pk, PERMISSION)
    return render(
        request, "streaming/partials/destinations.html", streaming_context(request, meeting)
    )


@login_required
@never_cache  # the page holds the stream key
@require_GET
def stream_key_show(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole stream key (and the SRT address with it), on request; never cached."""
    meeting = meeting_for(request, pk, PERMISSION)
    stream = get_object_or_404(MeetingStream, meeting=meeting)
    logger.info("Meeting %s: the stream key was shown to %s.", meeting.pk, request.user)
    srt = srt_url(request, stream)
    context = {
        "meeting": meeting,
        "stream": stream,
        "key": stream.key,
        "encoder_url": encoder_url(request),
        "srt_obs_url": srt_obs_url(srt, stream.key),
    }
    return render(request, "streaming/stream_key.html", context)


@login_required
@never_cache
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
@never_cache
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
