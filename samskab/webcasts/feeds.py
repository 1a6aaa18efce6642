"""Machine-readable views of meetings: iCalendar, RSS/Atom and the WebVTT tracks (W11).

Calendars are subscribed to by calendar programs (Outlook, Google, Apple), so a meeting's
UID never changes and a cancelled meeting stays in the feed with STATUS:CANCELLED for a
month so subscribers see it cancelled instead of silently gone.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from samskab.core.models import SiteSettings
from samskab.webcasts import ical, vtt
from samskab.webcasts.models import Body, Meeting
from samskab.webcasts.selectors import (
    meeting_chapters,
    meeting_speaker_cues,
    meetings_published,
)

CALENDAR_DAYS_BACK = 30
# A meeting whose end nobody entered still needs a DTEND: without one a calendar shows it
# as lasting no time at all (RFC 5545 3.6.1). Two hours is a council meeting's usual length.
ASSUMED_LENGTH = timedelta(hours=2)
CALENDAR_LIMIT = 500
FEED_LIMIT = 30


def _uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "samskab.invalid"


def meetings_for_calendar(body: Body | None = None):
    since = timezone.now() - timedelta(days=CALENDAR_DAYS_BACK)
    meetings = meetings_published().filter(starts_at__gte=since)
    if body is not None:
        meetings = meetings.filter(body=body)
    return meetings.order_by("starts_at")[:CALENDAR_LIMIT]


def meeting_end(meeting: Meeting):
    """When the meeting ends: as entered, else as long as its recording, else assumed."""
    if meeting.ends_at is not None and meeting.ends_at > meeting.starts_at:
        return meeting.ends_at
    if meeting.duration_ms:
        start = meeting.recording_started_at or meeting.starts_at
        end = start + timedelta(milliseconds=meeting.duration_ms)
        if end > meeting.starts_at:
            return end
    return meeting.starts_at + ASSUMED_LENGTH


def meeting_event(meeting: Meeting, request: HttpRequest) -> ical.Event:
    url = request.build_absolute_uri(meeting.get_absolute_url())
    return ical.Event(
        uid=f"meeting-{meeting.pk}@{_uid_host()}",
        starts_at=meeting.starts_at,
        ends_at=meeting_end(meeting),
        summary=f"{meeting.body.name}: {meeting.title}",
        stamp=meeting.updated_at,
        location=meeting.place,
        description="\n\n".join(part for part in (meeting.description, url) if part),
        url=url,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
    )


def _calendar_response(request: HttpRequest, meetings, name: str) -> HttpResponse:
    text = ical.calendar((meeting_event(m, request) for m in meetings), name=name)
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kalender.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def calendar_all(request: HttpRequest) -> HttpResponse:
    site = SiteSettings.current()
    name = _("Meetings - %(site)s") % {"site": site.name}
    return _calendar_response(request, meetings_for_calendar(), name)


@require_GET
def calendar_body(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = get_object_or_404(Body, slug=body_slug, is_active=True)
    site = SiteSettings.current()
    name = f"{body.name} - {site.name}"
    return _calendar_response(request, meetings_for_calendar(body), name)


@require_GET
def calendar_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as a calendar file, to add to one's own calendar (not a subscription)."""
    meeting = get_object_or_404(meetings_published(), pk=pk)
    response = _calendar_response(request, [meeting], meeting.title)
    response["Content-Disposition"] = f'attachment; filename="moede-{meeting.pk}.ics"'
    return response


class MeetingsFeed(Feed):
    """The latest published meetings, announced and broadcast (RSS 2.0)."""

    feed_type = Rss201rev2Feed
    description = gettext_lazy("Meetings of the council and its committees, with their agendas.")

    def title(self) -> str:
        return _("Meetings - %(site)s") % {"site": SiteSettings.current().name}

    def link(self) -> str:
        # The channel's link is the web page the feed stands for, not the feed itself.
        return reverse("webcasts:meeting_list")

    def feed_url(self) -> str:
        return reverse("webcasts:feed")

    def items(self):
        return (
            meetings_published()
            .prefetch_related("agenda_items")
            .order_by("-starts_at")[:FEED_LIMIT]
        )

    def item_title(self, item: Meeting) -> str:
        return f"{item.body.name}: {item.title}"

    def item_description(self, item: Meeting) -> str:
        when = timezone.localtime(item.starts_at).strftime("%d.%m.%Y %H:%M")
        header = format_html(
            "<p>{} · {}{}</p>",
            when,
            item.get_status_display(),
            f" · {item.place}" if item.place else "",
        )
        agenda = format_html_join(
            "",
            "<li>{}. {}</li>",
            (
                (
                    agenda_item.number,
                    agenda_item.title if agenda_item.is_public else _("Closed item"),
                )
                for agenda_item in item.agenda_items.all()
            ),
        )
        return header + (format_html("<ol>{}</ol>", agenda) if agenda else "")

    def item_pubdate(self, item: Meeting):
        return item.created_at

    def item_updateddate(self, item: Meeting):
        return item.updated_at

    def item_guid(self, item: Meeting) -> str:
        return f"meeting-{item.pk}@{_uid_host()}"

    item_guid_is_permalink = False

    def item_categories(self, item: Meeting) -> list[str]:
        return [item.body.name]


class MeetingsAtomFeed(MeetingsFeed):
    feed_type = Atom1Feed
    subtitle = MeetingsFeed.description

    def feed_url(self) -> str:
        return reverse("webcasts:feed_atom")


def _public_meeting(pk: int) -> Meeting:
    meeting = get_object_or_404(meetings_published(), pk=pk)
    if meeting.status in (Meeting.Status.PLANNED, Meeting.Status.CANCELLED):
        raise Http404
    return meeting


def _vtt_response(text: str, *, live: bool) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/vtt; charset=utf-8")
    # A live meeting's tracks grow; a finished meeting's change only when an editor corrects.
    response["Cache-Control"] = "no-cache" if live else "public, max-age=60"
    return response


@require_GET
def chapters_track(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _public_meeting(pk)
    text = vtt.chapters_vtt(meeting_chapters(meeting))
    return _vtt_response(text, live=meeting.status == Meeting.Status.LIVE)


@require_GET
def speakers_track(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _public_meeting(pk)
    text = vtt.metadata_vtt(meeting_speaker_cues(meeting))
    return _vtt_response(text, live=meeting.status == Meeting.Status.LIVE)
