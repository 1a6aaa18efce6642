"""Reads for the streaming app."""

from __future__ import annotations

import hmac

from django.db.models import Q, QuerySet

from samskab.streaming import crypto
from samskab.streaming.models import Destination, DestinationStatus, MeetingStream
from samskab.webcasts.models import Meeting


def meeting_for_stream_key(key: str) -> Meeting | None:
    """The meeting a stream key belongs to, or None; compared in constant time."""
    if not key or len(key) > 200:
        return None
    stream = (
        MeetingStream.objects.select_related("meeting")
        .filter(key_hash=crypto.lookup_hash(key))
        .first()
    )
    if stream is None or not hmac.compare_digest(stream.key.encode(), key.encode()):
        return None
    return stream.meeting


def destinations_for(meeting: Meeting, *, enabled_only: bool = True) -> QuerySet[Destination]:
    """The meeting's own destinations and its body's."""
    destinations = Destination.objects.filter(Q(meeting=meeting) | Q(body_id=meeting.body_id))
    if enabled_only:
        destinations = destinations.filter(is_enabled=True)
    return destinations.order_by("name", "pk")


def console_destinations(meeting: Meeting) -> list[dict]:
    """Each destination with its state for this meeting, for the operator console."""
    states = {
        status.destination_id: status
        for status in DestinationStatus.objects.filter(meeting=meeting)
    }
    rows = []
    for destination in destinations_for(meeting, enabled_only=False):
        rows.append({"destination": destination, "status": states.get(destination.pk)})
    return rows
