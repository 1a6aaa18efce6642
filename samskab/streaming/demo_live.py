"""A meeting live now in the demo (`samskab demo_live`, started by `make run`): the upcoming
demo meeting goes live and its vox pop opens through the services the operator console uses,
and a test feed is pushed to the ingest as a chamber encoder would, so the player plays live
HLS made by the real pipeline.

Refused in production, like the demo itself. A meeting an operator has already ended is left
as it is (the next fresh demo database has a new one)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from samskab.polls.demo import UPCOMING_VOXPOP
from samskab.polls.models import Poll
from samskab.polls.services import poll_open
from samskab.streaming import services
from samskab.webcasts.demo import UPCOMING_ID
from samskab.webcasts.models import Meeting
from samskab.webcasts.services import meeting_go_live

DEMO_OPERATOR = "operator@demo.samskab.dk"


@dataclass(frozen=True)
class DemoLive:
    meeting: Meeting
    voxpop: Poll | None
    key: str


@transaction.atomic
def demo_live_start() -> DemoLive | None:
    """The upcoming demo meeting live with its vox pop open; None when there is none to
    take live (not loaded, or ended by an operator)."""
    meeting = Meeting.objects.filter(external_id=UPCOMING_ID).first()
    if meeting is None or meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.LIVE):
        return None
    if meeting.status == Meeting.Status.PLANNED:
        operator = get_user_model().objects.get(email=DEMO_OPERATOR)
        meeting_go_live(meeting=meeting, by=operator)
    voxpop = Poll.objects.filter(meeting=meeting, title=UPCOMING_VOXPOP).first()
    if voxpop is not None and voxpop.status == Poll.Status.DRAFT:
        voxpop = poll_open(poll=voxpop)
    return DemoLive(meeting, voxpop, services.stream_key_ensure(meeting=meeting).key)
