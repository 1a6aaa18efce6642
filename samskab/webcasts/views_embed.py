"""Embedding (W7): the player for other sites' iframes, and the oEmbed endpoint.

Only the embed page may be framed (no X-Frame-Options, CSP frame-ancestors *); every other
page keeps the site-wide DENY and frame-ancestors 'none'.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from samskab.core.models import SiteSettings
from samskab.webcasts import thumbnails
from samskab.webcasts.player import (
    EMBED_HEIGHT,
    EMBED_WIDTH,
    embed_iframe,
    parse_t,
    player_context,
    with_player_csp,
)
from samskab.webcasts.views import visible_meeting

MIN_SIZE = 200


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def meeting_embed(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = visible_meeting(request, pk)
    t = parse_t(request.GET.get("t"))
    context = player_context(request, meeting, t=t, embed=True)
    response = render(request, "webcasts/embed.html", context)
    return with_player_csp(response, meeting)


def _size(value: str | None, default: int) -> int:
    try:
        size = int(value or default)
    except ValueError:
        return default
    return max(MIN_SIZE, min(size, default))


@require_GET
@cache_control(max_age=300, public=True)
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 for meeting pages: type "video", an iframe of the embed page."""
    response_format = request.GET.get("format", "json")
    if response_format != "json":
        return HttpResponse("Only format=json is supported.", status=501)
    url = request.GET.get("url", "")
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        raise Http404
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        raise Http404 from None
    if match.view_name not in {"webcasts:meeting", "webcasts:meeting_embed"}:
        raise Http404
    meeting = visible_meeting(request, int(match.kwargs["pk"]))
    t = None
    for pair in parts.query.split("&"):
        key, _sep, value = pair.partition("=")
        if key == "t":
            t = parse_t(value)
    width = _size(request.GET.get("maxwidth"), EMBED_WIDTH)
    height = _size(request.GET.get("maxheight"), EMBED_HEIGHT)
    # Keep the player's shape when only one side is limited.
    height = min(height, round(width * EMBED_HEIGHT / EMBED_WIDTH))
    width = min(width, round(height * EMBED_WIDTH / EMBED_HEIGHT))
    site = SiteSettings.current()
    data = {
        "version": "1.0",
        "type": "video",
        "title": str(meeting.title),
        "author_name": str(meeting.body.name),
        "provider_name": str(site.name),
        "provider_url": request.build_absolute_uri("/"),
        "html": embed_iframe(request, meeting, width=width, height=height, t=t),
        "width": width,
        "height": height,
    }
    if thumbnails.thumbnail_available(meeting):
        second = thumbnails.thumbnail_second(meeting, t or 0)
        data["thumbnail_url"] = request.build_absolute_uri(
            reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": second})
        )
        data["thumbnail_width"] = 640
        data["thumbnail_height"] = 360
    return JsonResponse(data)
