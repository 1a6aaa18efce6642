"""Public meeting pages: the list, the player (live and archive), the text-only index,
the share thumbnails and slide PDFs. (The WebVTT tracks are in feeds.py.)"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from samskab.core import objectstore
from samskab.core.ratelimit import hit, too_many
from samskab.webcasts import thumbnails
from samskab.webcasts.models import Body, Meeting, SlideDeck
from samskab.webcasts.player import (
    embed_snippets,
    oembed_discovery_url,
    parse_t,
    player_context,
    with_player_csp,
)
from samskab.webcasts.selectors import meeting_transcript, meetings_past, meetings_upcoming

ARCHIVE_PER_BODY = 5
ARCHIVE_PAGE_SIZE = 20


def visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting if this visitor may see it; unpublished ones are 404 to the public."""
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    if not request.user.has_perm("webcasts.view_meeting", meeting):
        raise Http404
    return meeting


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Live and coming meetings first, then the archive grouped by body."""
    body = None
    if request.GET.get("body"):
        body = get_object_or_404(Body, slug=request.GET["body"], is_active=True)
    upcoming = list(meetings_upcoming(body=body)[:50])
    bodies = list(Body.objects.filter(is_active=True))
    context = {"upcoming": upcoming, "bodies": bodies, "body": body}
    if body is not None:
        page = Paginator(meetings_past(body=body), ARCHIVE_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context["page"] = page
    else:
        # The newest few of every body in one query (a window over each body's meetings).
        latest = (
            meetings_past()
            .annotate(
                rank=Window(RowNumber(), partition_by=F("body_id"), order_by=F("starts_at").desc())
            )
            .filter(rank__lte=ARCHIVE_PER_BODY)
        )
        by_body: dict[int, list[Meeting]] = {}
        for meeting in latest:
            by_body.setdefault(meeting.body_id, []).append(meeting)
        for meetings in by_body.values():
            meetings.sort(key=lambda m: m.starts_at, reverse=True)
        context["archive"] = [(each, by_body[each.pk]) for each in bodies if by_body.get(each.pk)]
    return render(request, "webcasts/meeting_list.html", context)


@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """The player page: live and archive alike; ?t=seconds opens it at that moment."""
    meeting = visible_meeting(request, pk)
    t = parse_t(request.GET.get("t"))
    context = player_context(request, meeting, t=t)
    context["oembed_url"] = oembed_discovery_url(request, meeting)
    context["embed_snippets"] = embed_snippets(request, meeting)
    if thumbnails.thumbnail_available(meeting):
        second = thumbnails.thumbnail_second(meeting, t if t is not None else 0)
        context["og_image"] = request.build_absolute_uri(
            reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": second})
        )
        context["og_image_size"] = (thumbnails.WIDTH, thumbnails.HEIGHT)
    response = render(request, "webcasts/meeting.html", context)
    return with_player_csp(response, meeting)


@require_GET
def meeting_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The index without a player: agenda, times, speakers, slides and documents as links."""
    meeting = visible_meeting(request, pk)
    context = player_context(request, meeting, t=None)
    context["transcript"] = meeting_transcript(
        context["index"], context["captions"], get_language() or settings.LANGUAGE_CODE
    )
    return render(request, "webcasts/meeting_text.html", context)


@require_GET
def meeting_thumbnail(request: HttpRequest, pk: int, second: int) -> HttpResponse:
    """A still from our own recording at `second` (rounded down), made once and kept."""
    meeting = visible_meeting(request, pk)
    second = thumbnails.thumbnail_second(meeting, second)
    path = thumbnails.thumbnail_path(meeting, second)
    if objectstore.enabled() and objectstore.is_file(path):
        return objectstore.response(path, content_type="image/jpeg", cache=objectstore.FILE_CACHE)
    if not path.is_file():
        if not thumbnails.thumbnail_available(meeting):
            raise Http404
        # Making a picture runs ffmpeg: limit how often one visitor can make us do it.
        if not hit(request, "webcasts-thumbnail", "30/m"):
            return too_many(request)
        made = thumbnails.thumbnail_make(meeting=meeting, second=second)
        if made is None:
            raise Http404
        if objectstore.enabled():
            return objectstore.response(
                made, content_type="image/jpeg", cache=objectstore.FILE_CACHE
            )
        path = made
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def deck_pdf(request: HttpRequest, pk: int, deck_pk: int) -> HttpResponse:
    """The PDF of a slide deck, by its id (the player knows decks by id from live events)."""
    meeting = visible_meeting(request, pk)
    deck = get_object_or_404(
        SlideDeck.objects.select_related("agenda_item"), pk=deck_pk, agenda_item__meeting=meeting
    )
    # A closed item's slides are for staff only; the file itself is checked again when it is
    # fetched (views_media), so the address cannot be passed on either.
    if not deck.agenda_item.is_public and not request.user.has_perm(
        "webcasts.view_closed_items", meeting
    ):
        raise Http404
    return redirect(deck.pdf.url)
