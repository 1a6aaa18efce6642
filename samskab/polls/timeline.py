"""A vox pop on the meeting's timeline: opening and closing it are timeline marks (D2).

The marks are what the archive's timeline and the timeline editor show and move. The
poll's `opened_offset_ms` and `closed_offset_ms` are a copy for the poll's own pages,
kept equal to its marks by `poll_offsets_follow` whenever a mark is saved (moved in the
timeline editor, removed, or set here).
"""

from samskab.polls.models import Poll
from samskab.webcasts.models import TimelineMark
from samskab.webcasts.selectors import live_offset_ms

Kind = TimelineMark.Kind
POLL_KINDS = (Kind.POLL_OPEN, Kind.POLL_CLOSE)
OFFSET_FIELD = {Kind.POLL_OPEN: "opened_offset_ms", Kind.POLL_CLOSE: "closed_offset_ms"}


def poll_offset_at(poll: Poll, at) -> int | None:
    """Where `at` falls in the meeting's recording, or None (no meeting, not recording)."""
    offset = live_offset_ms(poll.meeting, at=at) if poll.meeting_id else None
    return None if offset is None or offset < 0 else offset


def poll_mark_add(*, poll: Poll, kind: str, at, offset_ms: int | None = None, by=None):
    """The mark of the vox pop opening or closing at `at`, when its meeting is recorded;
    it updates the poll's offset through `poll_offsets_follow`."""
    offset_ms = poll_offset_at(poll, at) if offset_ms is None else offset_ms
    if offset_ms is None:
        return None
    return TimelineMark.objects.create(
        meeting_id=poll.meeting_id,
        kind=kind,
        poll=poll,
        agenda_item_id=poll.agenda_item_id,
        at=at,
        offset_ms=offset_ms,
        created_by=by if getattr(by, "pk", None) else None,
    )


def poll_offsets_follow(sender, instance: TimelineMark, **kwargs) -> None:
    """After a poll's mark is saved: its offsets are those of its marks still in place."""
    if kwargs.get("raw") or instance.kind not in POLL_KINDS or instance.poll_id is None:
        return
    marks = TimelineMark.objects.filter(poll_id=instance.poll_id, kind=instance.kind)
    latest = marks.filter(is_undone=False).order_by("-created_at", "-pk").first()
    Poll.objects.filter(pk=instance.poll_id).update(
        **{OFFSET_FIELD[instance.kind]: latest.offset_ms if latest else None}
    )
