"""Reads for the streaming app."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from samskab.media import commands
from samskab.recordings import storage
from samskab.recordings.models import Clip
from samskab.streaming import crypto
from samskab.streaming.models import Destination, DestinationStatus, MeetingStream
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder

# A live recording whose last segment is older than this is not a dropped connection.
RECONNECT_WITHIN = timedelta(hours=6)


def feed_awaited(meeting: Meeting) -> bool:
    """Whether a live meeting fed by our encoder has had no picture yet. Marks set now are
    placed when the first segment comes, at its start at the latest (ingest_anchor): all
    at 0:00 (review finding 29), so the console warns."""
    if meeting.status != Meeting.Status.LIVE:
        return False
    stream = MeetingStream.objects.filter(meeting=meeting).first()
    if stream is None or stream.publishing_since is not None:
        return False
    return storage.read_text(media_folder(meeting.pk) / PLAYLIST) is None


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


@dataclass(frozen=True)
class ExistingRecording:
    """Why a new feed would not simply continue the meeting's video, and what staff may do."""

    reason: str  # "ended", "old", "uploaded" or "hidden"
    can_continue: bool  # append to the live recording's playlist
    can_replace: bool  # delete it and start afresh (not when clips are made from it)
    clips: int


def existing_recording(meeting: Meeting) -> ExistingRecording | None:
    """The meeting's recording a new feed would run into, or None when the feed may start
    (no recording yet) or go on by itself (the encoder of a live meeting came back)."""
    clips = Clip.objects.filter(meeting=meeting).count()
    if storage.exists(storage.hidden_folder(meeting.pk)):
        return ExistingRecording("hidden", can_continue=False, can_replace=False, clips=clips)
    uploaded = storage.uploaded_master(meeting.pk) is not None
    playlist = storage.read_text(media_folder(meeting.pk) / PLAYLIST)
    if playlist is None:
        if not uploaded:
            return None
        segments = []
    else:
        segments = commands.hls_dated_segments(playlist)
    replace = clips == 0
    if uploaded or not segments:
        # Uploaded, packaged or redacted: a video-on-demand package, not a live playlist.
        return ExistingRecording("uploaded", can_continue=False, can_replace=replace, clips=clips)
    if meeting.status == Meeting.Status.ENDED:
        return ExistingRecording("ended", can_continue=True, can_replace=replace, clips=clips)
    last = segments[-1]
    ended_at = last.wall + timedelta(milliseconds=last.duration_ms)
    if timezone.now() - ended_at > RECONNECT_WITHIN:
        return ExistingRecording("old", can_continue=True, can_replace=replace, clips=clips)
    return None
