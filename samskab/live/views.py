"""The SSE endpoint, its polling fallback, viewer counts, and the demo page."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from samskab.live import conf
from samskab.live.brokers import get_broker
from samskab.live.brokers.base import LiveUnavailable
from samskab.live.channels import amay_listen, kind_of, may_listen
from samskab.live.forms import DemoMessageForm
from samskab.live.hub import get_hub
from samskab.live.publishing import viewer_count
from samskab.live.services import DEMO_CHANNEL, demo_message_publish
from samskab.live.streaming import EventStreamResponse


async def stream(request: HttpRequest, channel: str) -> HttpResponse:
    """GET /live/<channel>/: text/event-stream, resuming after Last-Event-ID."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    kind = kind_of(channel)
    if kind is None:
        return HttpResponse(_("No such live channel."), status=404, content_type="text/plain")
    if not isinstance(request, ASGIRequest):
        # Under WSGI (runserver) a stream would hold a worker thread for as long as it lasts.
        return HttpResponse(
            _("Live updates need the ASGI server: samskab serve."),
            status=503,
            content_type="text/plain",
        )
    if not await amay_listen(kind, request, channel):
        return HttpResponse(
            _("You may not follow this channel."), status=403, content_type="text/plain"
        )
    # The browser sends Last-Event-ID when it reconnects by itself; live.js, reconnecting
    # with a new EventSource, cannot set headers and passes it in the query string.
    # (META, not request.headers: that mapping would be built and kept for this one read.)
    last_id = request.META.get("HTTP_LAST_EVENT_ID") or request.GET.get("lastEventId") or None
    return EventStreamResponse(get_hub().events(channel, last_id), request=request)


@never_cache
@require_GET
def poll(request: HttpRequest, channel: str) -> JsonResponse:
    """The fallback where EventSource is missing or keeps failing: events after ?after=."""
    kind = kind_of(channel)
    if kind is None:
        raise Http404
    if not may_listen(kind, request.user, getattr(request, "viewer", None), channel):
        raise PermissionDenied
    try:
        resume = get_broker().resume(channel, request.GET.get("after") or None)
    except LiveUnavailable:
        return JsonResponse({"error": _("Live updates are unavailable.")}, status=503)
    return JsonResponse(
        {
            "events": [
                {"id": event.id, "event": event.type, "data": json.loads(event.data_json())}
                for event in resume.events
            ],
            "reload": resume.reload,
            "last_id": resume.position,
            "interval_ms": conf.poll_milliseconds(),
        }
    )


@never_cache
@require_GET
def viewers(request: HttpRequest, channel: str) -> JsonResponse:
    """For operators: how many are watching a channel now."""
    if kind_of(channel) is None:
        raise Http404
    if not request.user.has_perm("live.view_viewer_count"):
        raise PermissionDenied
    try:
        count = viewer_count(channel)
    except LiveUnavailable:
        return JsonResponse({"error": _("Live updates are unavailable.")}, status=503)
    return JsonResponse({"channel": channel, "viewers": count})


def _demo_enabled() -> None:
    if not conf.demo_enabled():
        raise Http404


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    _demo_enabled()
    can_publish = request.user.has_perm("live.publish_demo")
    context = {
        "channel": DEMO_CHANNEL,
        "can_publish": can_publish,
        "form": DemoMessageForm() if can_publish else None,
        "viewers": _count_or_none(DEMO_CHANNEL) if can_publish else None,
    }
    return render(request, "live/demo.html", context)


@require_POST
def demo_publish(request: HttpRequest) -> HttpResponse:
    _demo_enabled()
    if not request.user.has_perm("live.publish_demo"):
        raise PermissionDenied
    form = DemoMessageForm(request.POST)
    if not form.is_valid():
        context = {"channel": DEMO_CHANNEL, "can_publish": True, "form": form, "viewers": None}
        return render(request, "live/demo.html", context, status=400)
    try:
        demo_message_publish(text=form.cleaned_data["text"])
    except LiveUnavailable:
        messages.error(request, _("Live updates are unavailable; nothing was sent."))
    return redirect("live:demo")


def _count_or_none(channel: str) -> int | None:
    try:
        return viewer_count(channel)
    except LiveUnavailable:
        return None
