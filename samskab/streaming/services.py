"""Writes for live streaming: stream keys, destinations and what the ingest reports."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.media import commands
from samskab.recordings import storage
from samskab.streaming import crypto, destinations, selectors
from samskab.streaming.models import Destination, DestinationStatus, MeetingStream
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.services import speaker_turns_rebuild

logger = logging.getLogger("samskab.streaming")

KEY_BYTES = 24


def stream_key_ensure(*, meeting: Meeting) -> MeetingStream:
    """The meeting's stream key, made now if it has none."""
    stream = MeetingStream.objects.filter(meeting=meeting).first()
    return stream or stream_key_rotate(meeting=meeting)


def stream_key_rotate(*, meeting: Meeting, key: str | None = None) -> MeetingStream:
    """A new secret stream key for the meeting; the old one stops working at once."""
    key = key or secrets.token_urlsafe(KEY_BYTES)
    with transaction.atomic():
        stream, _created = MeetingStream.objects.select_for_update().get_or_create(
            meeting=meeting,
            defaults={"key_encrypted": crypto.encrypt(key), "key_hash": crypto.lookup_hash(key)},
        )
        if not _created:
            stream.key_encrypted = crypto.encrypt(key)
            stream.key_hash = crypto.lookup_hash(key)
            stream.rotated_at = timezone.now()
            stream.save(update_fields=["key_encrypted", "key_hash", "rotated_at"])
    return stream


def destination_check(*, kind: str, server_url: str, key: str) -> None:
    """Refuse an address ffmpeg cannot publish to, with a message staff understand."""
    try:
        destinations.publish_url(kind, server_url, key)
    except destinations.BadDestination as error:
        raise ValidationError(_translate(str(error)), code="bad_destination") from error


def destination_set_key(*, destination: Destination, key: str) -> None:
    """Store a new stream key for a destination (encrypted); staff see only its end."""
    key = key.strip()
    destination.key_encrypted = crypto.encrypt(key)
    destination.key_hint = key[-4:] if key else ""


def destination_state_set(
    *, destination_id: int, meeting_id: int, state: str, reason: str = ""
) -> None:
    DestinationStatus.objects.update_or_create(
        destination_id=destination_id,
        meeting_id=meeting_id,
        defaults={"state": state, "reason": reason[:300]},
    )


SRT_WINDOW = timedelta(hours=12)


def srt_ports_assign(*, first: int, count: int, now: datetime) -> dict[int, tuple[int, str]]:
    """Give each near meeting with a stream key an SRT port; {meeting id: (port, key)}.

    Near: planned or live and starting within 12 hours either way, or live, or receiving.
    A meeting keeps its port while it is near, so the encoder's settings stay right; the
    port is freed afterwards. Keys that cannot be an SRT passphrase get no port.
    """
    ports = range(first, first + count)
    near = (
        (
            Q(meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.LIVE])
            & Q(meeting__starts_at__gte=now - SRT_WINDOW, meeting__starts_at__lte=now + SRT_WINDOW)
        )
        | Q(meeting__status=Meeting.Status.LIVE)
        | Q(publishing_since__isnull=False)
    )
    with transaction.atomic():
        streams = list(
            MeetingStream.objects.select_for_update()
            .filter(near)
            .order_by("meeting__starts_at", "pk")
        )
        wanted = [s for s in streams if commands.srt_passphrase_ok(s.key)]
        wanted_ids = {s.pk for s in wanted}
        MeetingStream.objects.exclude(srt_port=None).exclude(pk__in=wanted_ids).update(
            srt_port=None
        )
        taken = {s.srt_port for s in wanted if s.srt_port in ports}
        free = [port for port in ports if port not in taken]
        result = {}
        for stream in wanted:
            if stream.srt_port not in ports:
                stream.srt_port = free.pop(0) if free else None
                MeetingStream.objects.filter(pk=stream.pk).update(srt_port=stream.srt_port)
            if stream.srt_port is not None:
                result[stream.meeting_id] = (stream.srt_port, stream.key)
    return result


def ingest_admit(*, meeting: Meeting) -> str:
    """May an encoder's feed start? "new", "continue" or "replace"; "" refuses it.

    A meeting without a recording, or whose live encoder came back, goes on by itself. One
    that already has a finished, uploaded or old recording refuses a new feed, so a test
    or a wrong key in the encoder cannot add to the archive, unless staff chose in the
    console to continue the recording or to replace it (then the old one is deleted now).
    """
    existing = selectors.existing_recording(meeting)
    if existing is None:
        return "new"
    Choice = MeetingStream.RecordingChoice
    with transaction.atomic():
        stream = MeetingStream.objects.select_for_update().filter(meeting=meeting).first()
        choice = stream.recording_choice if stream is not None else Choice.ASK
        if choice == Choice.CONTINUE and existing.can_continue:
            return "continue"
        if stream is not None and choice == Choice.REPLACE and existing.can_replace:
            try:
                recording_replace(meeting=meeting)
            except OSError:
                # The old recording is where it was; the encoder is refused until fixed.
                logger.exception("Meeting %s: the recording could not be set aside", meeting.pk)
                return ""
            # The new recording goes on by itself if the encoder drops out.
            stream.recording_choice = Choice.CONTINUE
            stream.refused_at = None
            stream.save(update_fields=["recording_choice", "refused_at"])
            return "replace"
        if stream is not None:
            stream.refused_at = timezone.now()
            stream.save(update_fields=["refused_at"])
    return ""


REPLACED_STATE = "state.json"


def recording_replace(*, meeting: Meeting) -> int:
    """Set the meeting's recording (public folder and uploaded master) aside in
    PRIVATE_ROOT/replaced/<meeting>/, so that a new feed starts afresh. It is deleted once the
    new feed has written its first segment, and put back if the feed ends before that
    (recording_replace_settle): a feed that fails never leaves the meeting without video.
    Marks keep their times and are placed on the new one. Returns the files set aside; an
    OSError (a folder the process may not write) leaves everything as it was."""
    parked = storage.replaced_folder(meeting.pk)
    if parked.exists():
        storage.remove_tree(parked)  # an earlier replace that was never settled
    parked.mkdir(parents=True)
    (parked / REPLACED_STATE).write_text(
        json.dumps(
            {
                "duration_ms": meeting.duration_ms,
                "recording_started_at": meeting.recording_started_at.isoformat()
                if meeting.recording_started_at
                else None,
            }
        )
    )
    moved: list[tuple[Path, Path]] = []
    try:
        for source, name in (
            (media_folder(meeting.pk), "media"),
            (storage.masters_folder(meeting.pk), "masters"),
        ):
            if storage.exists(source):
                storage.move(source, parked / name)
                moved.append((source, parked / name))
    except OSError:
        for source, target in reversed(moved):
            storage.move(target, source)
        storage.remove_tree(parked)
        raise
    files = sum(1 for each in parked.rglob("*") if each.is_file()) - 1
    Meeting.objects.filter(pk=meeting.pk).update(
        recording_started_at=None, duration_ms=None, updated_at=timezone.now()
    )
    logger.warning(
        "Meeting %s: its recording (%s files) is set aside, to be replaced by a new feed.",
        meeting.pk,
        files,
    )
    return files


def recording_replace_settle(*, meeting: Meeting) -> str:
    """After a replacing feed started or ended: "" when nothing was set aside; "deleted"
    when the new recording has its playlist (the old one goes); "restored" when the new
    feed wrote nothing playable (the old one comes back, as it was)."""
    parked = storage.replaced_folder(meeting.pk)
    if not parked.is_dir():
        return ""
    folder = media_folder(meeting.pk)
    if (folder / PLAYLIST).is_file():
        storage.remove_tree(parked)
        logger.info("Meeting %s: the new feed is recording; the old recording is deleted.",
                    meeting.pk)  # fmt: skip
        return "deleted"
    saved = json.loads((parked / REPLACED_STATE).read_text() or "{}")
    storage.remove_tree(folder)
    for name, target in (("media", folder), ("masters", storage.masters_folder(meeting.pk))):
        if (parked / name).exists():
            storage.remove_tree(target)
            storage.move(parked / name, target)
    storage.remove_tree(parked)
    started = saved.get("recording_started_at")
    Meeting.objects.filter(pk=meeting.pk).update(
        duration_ms=saved.get("duration_ms"),
        recording_started_at=datetime.fromisoformat(started) if started else None,
        updated_at=timezone.now(),
    )
    logger.warning("Meeting %s: the new feed wrote nothing; the old recording is back.",
                   meeting.pk)  # fmt: skip
    return "restored"


def recording_choice_set(*, meeting: Meeting, choice: str) -> MeetingStream:
    """Staff's answer for a feed into a meeting that already has a recording."""
    if choice not in MeetingStream.RecordingChoice.values:
        raise ValidationError(_("Choose to continue or replace the recording."), code="choice")
    stream = stream_key_ensure(meeting=meeting)
    stream.recording_choice = choice
    stream.save(update_fields=["recording_choice"])
    return stream


def ingest_begin(*, meeting: Meeting) -> None:
    """The encoder publishes: the meeting's video is now ours (HLS in its media folder)."""
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            video_kind=Meeting.VideoKind.UPLOAD, updated_at=timezone.now()
        )
        MeetingStream.objects.filter(meeting=meeting).update(publishing_since=timezone.now())
        DestinationStatus.objects.filter(meeting=meeting).delete()
    meeting.video_kind = Meeting.VideoKind.UPLOAD


def ingest_anchor(*, meeting: Meeting, started_at: datetime) -> None:
    """Offset 0 of the recording is its first segment's EXT-X-PROGRAM-DATE-TIME.

    Marks set before the feed arrived (the operator went live first) are moved to their
    offset from the new start, never below 0, so every mark points at the video it names.
    """
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.recording_started_at = started_at
        meeting.save(update_fields=["recording_started_at", "updated_at"])
        moved = False
        for mark in TimelineMark.objects.filter(meeting=meeting):
            offset = max(0, int((mark.at - started_at).total_seconds() * 1000))
            if offset != mark.offset_ms:
                TimelineMark.objects.filter(pk=mark.pk).update(offset_ms=offset)
                moved = True
        if moved:
            speaker_turns_rebuild(meeting=meeting)


def marks_follow_playlist(*, meeting: Meeting, playlist: str) -> int:
    """After the encoder dropped out and came back, put marks set live at their media offset.

    Offsets are counted from `recording_started_at`, which is right only while the feed
    has no gap; after a gap the media is shorter than the wall clock by the gap. The
    segments' EXT-X-PROGRAM-DATE-TIMEs say what was shown when (commands.media_offset_ms).
    Marks an editor corrected by hand are left alone. Returns how many marks moved.
    """
    segments = commands.hls_dated_segments(playlist)
    if not commands.hls_has_gap(segments):
        return 0
    end_ms = None
    if "#EXT-X-ENDLIST" in playlist:
        end_ms = segments[-1].start_ms + segments[-1].duration_ms
    moved = 0
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        marks = TimelineMark.objects.filter(meeting=meeting, corrected_at=None)
        for mark in marks:
            offset = commands.media_offset_ms(segments, mark.at)
            if offset is None:
                continue
            if end_ms is not None:
                offset = min(offset, end_ms)
            if offset != mark.offset_ms:
                TimelineMark.objects.filter(pk=mark.pk).update(offset_ms=offset)
                moved += 1
        if moved:
            speaker_turns_rebuild(meeting=meeting)
    return moved


def ingest_end(*, meeting: Meeting) -> None:
    with transaction.atomic():
        MeetingStream.objects.filter(meeting=meeting).update(publishing_since=None)
        DestinationStatus.objects.filter(meeting=meeting).filter(
            ~Q(state=DestinationStatus.State.FAILED)
        ).update(state=DestinationStatus.State.STOPPED, reason="")


# The pure module's messages, translated here (its strings are marked for extraction).
_MESSAGES = {
    "Give the server address (rtmp:// or rtmps://).": lambda: _(
        "Give the server address (rtmp:// or rtmps://)."
    ),
    "The server address must start with rtmp:// or rtmps://.": lambda: _(
        "The server address must start with rtmp:// or rtmps://."
    ),
    "Facebook Live takes streams only over RTMPS (rtmps://).": lambda: _(
        "Facebook Live takes streams only over RTMPS (rtmps://)."
    ),
    "The server address cannot contain spaces.": lambda: _(
        "The server address cannot contain spaces."
    ),
    "Give the stream key that the platform shows.": lambda: _(
        "Give the stream key that the platform shows."
    ),
    "A stream key cannot contain spaces, ? or #.": lambda: _(
        "A stream key cannot contain spaces, ? or #."
    ),
}


def _translate(message: str) -> str:
    translated = _MESSAGES.get(message)
    return translated() if translated else message
