"""A vox pop on the meeting's timeline: opening and closing it are timeline marks (D2).

The marks are what the archive's timeline and the timeline editor show and move, and the
only record of where a vox pop opened and closed on the recording: `with_offsets` reads
them for the poll's own pages, so an editor's correction, a removal, or the ingest moving
marks to the first video segment shows everywhere at once.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from samskab.polls.models import Poll
from samskab.webcasts.models import TimelineMark
from samskab.webcasts.selectors import live_offset_ms

Kind = TimelineMark.Kind


def with_offsets(polls: QuerySet[Poll]) -> QuerySet[Poll]:
    """The polls with `opened_offset_ms` and `closed_offset_ms`: the offsets of their
    latest opening and closing marks still in place (None without one)."""
    marks = TimelineMark.objects.filter(poll=OuterRef("pk"), is_undone=False).order_by(
        "-created_at", "-pk"
    )
    return polls.annotate(
        opened_offset_ms=Subquery(marks.filter(kind=Kind.POLL_OPEN).values("offset_ms")[:1]),
        closed_offset_ms=Subquery(marks.filter(kind=Kind.POLL_CLOSE).values("offset_ms")[:1]),
    )


def poll_offset_at(poll: Poll, at) -> int | None:
    """Where `at` falls in the meeting's recording, or None (no meeting, not recording)."""
    offset = live_offset_ms(poll.meeting, at=at) if poll.meeting is not None else None
    return None if offset is None or offset < 0 else offset


def poll_mark_add(*, poll: Poll, kind: str, at, offset_ms: int | None = None, by=None):
    """The mark of the vox pop opening or closing at `at`, when its meeting is recorded."""
    offset_ms = poll_offset_at(poll, at) if offset_ms is None else offset_ms
    if offset_ms is None or poll.meeting_id is None:
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
