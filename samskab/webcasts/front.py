"""The webcasts' sections of the front page: live now, coming up, recent recordings."""

from django.http import HttpRequest

from samskab import live
from samskab.webcasts.models import Meeting
from samskab.webcasts.selectors import meetings_past, meetings_published, meetings_upcoming


def _viewers(meeting: Meeting) -> int | None:
    try:
        return live.viewer_count(meeting.channel)
    except live.LiveUnavailable:
        return None


def front_live(request: HttpRequest) -> dict | None:
    meetings = list(
        meetings_published().filter(status=Meeting.Status.LIVE).order_by("starts_at")[:3]
    )
    if not meetings:
        return None
    return {"live_meetings": [(meeting, _viewers(meeting)) for meeting in meetings]}


def front_upcoming(request: HttpRequest) -> dict | None:
    meetings = list(meetings_upcoming().filter(status=Meeting.Status.PLANNED)[:4])
    return {"meetings": meetings} if meetings else None


def front_recordings(request: HttpRequest) -> dict | None:
    meetings = list(meetings_past()[:4])
    return {"meetings": meetings} if meetings else None
