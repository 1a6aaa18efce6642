"""Writes to meetings and their timeline (W4).

Every function here runs in one transaction, locks the meeting row so two operators (or an
operator and the conference system) cannot interleave, rebuilds the derived SpeakerTurn rows
and publishes the new "now" state to the meeting's live channel after the commit.

Rules for marks, so bad input gets a clear answer and changes nothing:
- live marks (`mark_add`) only while the meeting is live; their offset is the wall-clock
  time minus `recording_started_at`;
- marks after the fact (`mark_add_at_offset`, the timeline editor) on a live or ended
  meeting, at an explicit offset;
- an offset is never below 0 nor after the meeting's end (its meeting_end mark, else the
  recording's length); only the meeting_end mark itself may move later, and never before
  another mark;
- marks may be set or corrected out of order: the index is re-derived from the sorted marks;
- an agenda item, slide or speaker must belong to the meeting (a person need only exist);
  a closed (non-public) item is accepted and flagged closed in the index; marked live, it
  starts the closed session unless one runs (only the operator ends it).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab import live
from samskab.core.uploads import check_size
from samskab.webcasts import importers, index, vtt
from samskab.webcasts.models import (
    AgendaItem,
    CaptionCue,
    Captions,
    Meeting,
    MeetingSeries,
    Person,
    Slide,
    SpeakerTurn,
    TimelineMark,
)
from samskab.webcasts.selectors import (
    active_marks,
    closed_session_now,
    meeting_state,
    recording_end_ms,
    video_end_ms,
)
from samskab.webcasts.signals import index_changed

logger = logging.getLogger("samskab.webcasts")

Kind = TimelineMark.Kind
# Marks the operator and the editor set by hand; start and end come from go-live and end.
HAND_KINDS = {Kind.ITEM, Kind.SPEAKER, Kind.SLIDE, Kind.BREAK}
# Set by opening and closing a vox pop; the timeline editor moves and removes them too.
REMOVABLE_KINDS = HAND_KINDS | {Kind.POLL_OPEN, Kind.POLL_CLOSE}
# A conference system's clock may run a little ahead of ours; beyond this it is an error.
CLOCK_TOLERANCE = timedelta(seconds=30)
# A meeting goes live now: a conference system's start time may differ from our clock by a
# few minutes, not more (review L7: a start in year 1 made every later offset garbage).
START_TOLERANCE = timedelta(minutes=5)
# No meeting lasts two days: a mark this far into the recording is a wrong clock.
MAX_OFFSET = timedelta(hours=48)
# The front page's sections that change when a meeting goes live or ends (core.frontpage).
FRONT_SECTIONS = ["live", "upcoming"]


def meeting_go_live(*, meeting: Meeting, by, at: datetime | None = None) -> TimelineMark:
    """Start the broadcast: status live, offset 0 fixed if not yet, a meeting_start mark."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock(meeting)
        if meeting.status == Meeting.Status.LIVE:
            raise ValidationError(_("The meeting is already live."), code="already_live")
        if meeting.status != Meeting.Status.PLANNED:
            raise ValidationError(
                _("Only a planned meeting can go live; this one is %(status)s.")
                % {"status": meeting.get_status_display().lower()},
                code="not_planned",
            )
        _check_start(at)
        if meeting.recording_started_at is None:
            meeting.recording_started_at = at
        meeting.status = Meeting.Status.LIVE
        meeting.save(update_fields=["status", "recording_started_at", "updated_at"])
        mark = _create(meeting, Kind.MEETING_START, _offset_from(meeting, at), at=at, by=by)
        _after_write(meeting, mark, action="start")
    return mark


def meeting_end(*, meeting: Meeting, by, at: datetime | None = None) -> TimelineMark:
    """End the broadcast: a meeting_end mark that closes every segment and turn."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock(meeting)
        if meeting.status != Meeting.Status.LIVE:
            raise ValidationError(_("Only a live meeting can be ended."), code="not_live")
        offset = _offset_from(meeting, at)
        last = _last_offset(meeting)
        if last is not None and offset < last:
            raise ValidationError(
                _("The meeting cannot end before its last mark (%(time)s).")
                % {"time": format_offset(last)},
                code="before_last_mark",
            )
        meeting.status = Meeting.Status.ENDED
        fields = ["status", "updated_at"]
        if meeting.duration_ms is None:
            meeting.duration_ms = offset
            fields.append("duration_ms")
        meeting.save(update_fields=fields)
        mark = _create(meeting, Kind.MEETING_END, offset, at=at, by=by)
        _after_write(meeting, mark, action="end")
    return mark


def mark_add(
    *,
    meeting: Meeting,
    kind: str,
    by,
    agenda_item: AgendaItem | None = None,
    person: Person | None = None,
    slide: Slide | None = None,
    at: datetime | None = None,
) -> TimelineMark:
    """The operator's mark while the meeting runs (item, speaker, slide or break).

    A closed agenda item also starts the closed session, in the same transaction."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock(meeting)
        if meeting.status != Meeting.Status.LIVE:
            raise ValidationError(
                _(
                    "Marks can be set only while the meeting is live; this one is %(status)s. "
                    "An editor can add marks afterwards in the timeline editor."
                )
                % {"status": meeting.get_status_display().lower()},
                code="not_live",
            )
        mark_check(meeting, kind, agenda_item=agenda_item, person=person, slide=slide)
        offset = _offset_from(meeting, at)
        mark = _create(
            meeting, kind, offset, at=at, by=by, agenda_item=agenda_item, person=person, slide=slide
        )
        _after_write(meeting, mark, action="add")
        # A closed item is never broadcast (review finding 2): marking one starts the closed
        # session if the operator has not. Only the operator ends it, with its own button:
        # marking the next, public item could be a wrong button, and the doors open only once.
        closes = (
            kind == Kind.ITEM
            and agenda_item is not None
            and not agenda_item.is_public
            and not closed_session_now(meeting.pk)
        )
        if closes:
            _closed_session_mark(meeting, closed=True, at=at, by=by)
    if closes:
        _log_closed_session(meeting, closed=True, at=at, by=by)
    return mark


def closed_session_set(
    *, meeting: Meeting, closed: bool, by, at: datetime | None = None
) -> TimelineMark:
    """The operator starts or ends a closed session (Kommunestyrelsesloven section 10).

    While it lasts, `samskab ingest` sends the slate instead of the chamber to the public
    stream, the archive and every restream; the pair of marks is the log of who closed and
    opened the meeting and when, and shows the span in the archive as a closed session.
    """
    at = at or timezone.now()
    with transaction.atomic():
        _lock(meeting)
        if meeting.status != Meeting.Status.LIVE:
            raise ValidationError(
                _("A closed session can be started or ended only while the meeting is live."),
                code="not_live",
            )
        if closed == closed_session_now(meeting.pk):
            raise ValidationError(
                _("The meeting is already in closed session.")
                if closed
                else _("The meeting is not in closed session."),
                code="unchanged",
            )
        mark = _closed_session_mark(meeting, closed=closed, at=at, by=by)
    _log_closed_session(meeting, closed=closed, at=at, by=by)
    return mark


def _closed_session_mark(meeting: Meeting, *, closed: bool, at: datetime, by) -> TimelineMark:
    kind = Kind.CLOSED_START if closed else Kind.CLOSED_END
    mark = _create(meeting, kind, max(0, _offset_from_live(meeting, at)), at=at, by=by)
    _after_write(meeting, mark, action="closed" if closed else "opened")
    return mark


def _log_closed_session(meeting: Meeting, *, closed: bool, at: datetime, by) -> None:
    logger.warning(
        "Meeting %s: closed session %s by %s at %s.",
        meeting.pk,
        "started" if closed else "ended",
        getattr(by, "email", "") or "the system",
        at.isoformat(),
    )


def _offset_from_live(meeting: Meeting, at: datetime) -> int:
    # The slate must start whatever the marks say; only a missing start is an error.
    if meeting.recording_started_at is None:
        raise ValidationError(
            _("The meeting has no recording start; set it in the meeting's form."),
            code="no_recording_start",
        )
    return int((at - meeting.recording_started_at).total_seconds() * 1000)


def mark_add_at_offset(
    *,
    meeting: Meeting,
    kind: str,
    offset_ms: int,
    by,
    agenda_item: AgendaItem | None = None,
    person: Person | None = None,
    slide: Slide | None = None,
) -> TimelineMark:
    """A mark added after the fact at a chosen offset (the timeline editor)."""
    with transaction.atomic():
        _lock(meeting)
        if meeting.status not in (Meeting.Status.LIVE, Meeting.Status.ENDED):
            raise ValidationError(
                _("Marks can be added only to a meeting that has been broadcast."),
                code="not_broadcast",
            )
        mark_check(meeting, kind, agenda_item=agenda_item, person=person, slide=slide)
        _check_offset(meeting, offset_ms)
        at = _at_from(meeting, offset_ms)
        mark = _create(
            meeting,
            kind,
            offset_ms,
            at=at,
            by=by,
            agenda_item=agenda_item,
            person=person,
            slide=slide,
        )
        _after_write(meeting, mark, action="add")
    return mark


def mark_undo(*, meeting: Meeting, by) -> TimelineMark:
    """Undo the last mark this operator set (kept in the log, left out of the index)."""
    with transaction.atomic():
        _lock(meeting)
        if meeting.status != Meeting.Status.LIVE:
            raise ValidationError(
                _("Undo works only while the meeting is live; use the timeline editor."),
                code="not_live",
            )
        mark = (
            TimelineMark.objects.filter(
                meeting=meeting, created_by=by, is_undone=False, kind__in=HAND_KINDS
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if mark is None:
            raise ValidationError(_("You have no mark to undo."), code="nothing_to_undo")
        mark.is_undone = True
        mark.save(update_fields=["is_undone"])
        _after_write(meeting, mark, action="undo")
    return mark


def mark_remove(*, mark: TimelineMark, by) -> TimelineMark:
    """Take a mark out of the index in the timeline editor (the row stays in the log)."""
    meeting = mark.meeting
    with transaction.atomic():
        _lock(meeting)
        mark.refresh_from_db()
        if mark.kind not in REMOVABLE_KINDS:
            raise ValidationError(
                _("The start and end of the meeting cannot be removed, only moved."),
                code="start_or_end",
            )
        if mark.is_undone:
            raise ValidationError(_("This mark has already been removed."), code="undone")
        mark.is_undone = True
        mark.save(update_fields=["is_undone"])
        _after_write(meeting, mark, action="undo")
    return mark


def mark_correct(*, mark: TimelineMark, offset_ms: int, by) -> TimelineMark:
    """Move a mark to another offset (the timeline editor).

    Order changes are allowed (the index re-derives), but no mark may move before 0 or after
    the meeting's end, and the meeting_end mark may not move before any other mark.
    """
    meeting = mark.meeting
    with transaction.atomic():
        _lock(meeting)
        mark.refresh_from_db()
        mark_correction_check(mark=mark, offset_ms=offset_ms)
        mark.offset_ms = offset_ms
        mark.at = _at_from(meeting, offset_ms, default=mark.at)
        mark.corrected_at = timezone.now()
        mark.save(update_fields=["offset_ms", "at", "corrected_at"])
        _after_write(meeting, mark, action="correct")
    return mark


def mark_correction_check(*, mark: TimelineMark, offset_ms: int) -> None:
    """Raise ValidationError if the mark may not move to offset_ms (for forms, too)."""
    meeting = mark.meeting
    if mark.is_undone:
        raise ValidationError(_("A removed mark cannot be moved."), code="undone")
    if mark.kind != Kind.MEETING_END:
        _check_offset(meeting, offset_ms)
        return
    limit = meeting.duration_ms
    video = video_end_ms(meeting)
    if video is not None:
        limit = min(limit, video) if limit else video
    if offset_ms < 0 or (limit and offset_ms > limit):
        raise ValidationError(
            _("The end must lie within the recording (0 to %(end)s).")
            % {"end": format_offset(limit or 0)},
            code="out_of_range",
        )
    last = _last_offset(meeting, exclude=mark)
    if last is not None and offset_ms < last:
        raise ValidationError(
            _("The end cannot move before the last mark (%(time)s).")
            % {"time": format_offset(last)},
            code="before_last_mark",
        )


def marks_shift(*, meeting: Meeting, after_ms: int, delta_ms: int, by) -> list[TimelineMark]:
    """Move every mark at or after `after_ms` by `delta_ms` (the timeline editor's bulk
    re-timing: an encoder's delay, marks set before the feed started).

    Items, speakers, slides, breaks and vox pops move; the start and end of the meeting and
    a closed session's marks stay (the slate is in the video where the server put it, not
    where an operator's delay put a mark). All or nothing: if one mark would
    land before 0 or after the end of the video, nothing moves and the message names it.
    """
    if delta_ms == 0:
        raise ValidationError(_("Choose how many seconds to move the marks."), code="no_shift")
    with transaction.atomic():
        _lock(meeting)
        if meeting.status not in (Meeting.Status.LIVE, Meeting.Status.ENDED):
            raise ValidationError(
                _("Marks can be moved only in a meeting that has been broadcast."),
                code="not_broadcast",
            )
        marks = list(
            TimelineMark.objects.filter(
                meeting=meeting, is_undone=False, offset_ms__gte=after_ms, kind__in=REMOVABLE_KINDS
            ).order_by("offset_ms", "pk")
        )
        if not marks:
            raise ValidationError(
                _("There are no marks at or after %(time)s.") % {"time": format_offset(after_ms)},
                code="no_marks",
            )
        for mark in marks:
            _check_offset(meeting, mark.offset_ms + delta_ms)
        now = timezone.now()
        for mark in marks:
            mark.offset_ms += delta_ms
            mark.at = _at_from(meeting, mark.offset_ms, default=mark.at)
            mark.corrected_at = now
        TimelineMark.objects.bulk_update(marks, ["offset_ms", "at", "corrected_at"])
        logger.info(
            "meeting %s: %s marks from %s ms moved by %s ms by %s",
            meeting.pk,
            len(marks),
            after_ms,
            delta_ms,
            getattr(by, "pk", None),
        )
        _after_write(meeting, marks[0], action="correct")
    return marks


def speaker_turns_rebuild(*, meeting: Meeting) -> list[SpeakerTurn]:
    """Re-derive the meeting's SpeakerTurn rows from its marks (the source of truth)."""
    marks = active_marks(meeting)
    derived = index.derive(marks, end_ms=recording_end_ms(meeting, marks))
    SpeakerTurn.objects.filter(meeting=meeting).delete()
    index_changed(meeting.pk)
    return SpeakerTurn.objects.bulk_create(
        SpeakerTurn(
            meeting=meeting,
            agenda_item_id=turn.item_id,
            person_id=turn.person_id,
            start_ms=turn.start_ms,
            end_ms=turn.end_ms,
            mark_id=turn.mark_id,
        )
        for turn in derived.turns
    )


def agenda_import(*, meeting: Meeting, rows: list, by) -> importers.Plan:
    """Create and update the meeting's agenda items from imported rows, all or nothing.

    The plan is made again inside the transaction (the agenda may have changed since the
    preview); rows it rejects now are left out, everything else goes in together.
    """
    with transaction.atomic():
        _lock(meeting)
        plan = importers.agenda_import_plan(meeting=meeting, rows=rows)
        # Numbers may swap between items: park the changing ones on a unique placeholder
        # first so the unique (meeting, number) constraint holds at every step.
        renumbered = [u.item for u in plan.update if "number" in u.changed]
        for item in renumbered:
            AgendaItem.objects.filter(pk=item.pk).update(number=f"~{item.pk}")
        for update in plan.update:
            for name in update.changed:
                setattr(update.item, name, getattr(update.row, name))
            update.item.save(update_fields=update.changed)
        AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                number=row.number,
                title=row.title,
                description=row.description,
                is_public=row.is_public,
                external_id=row.external_id,
                position=row.position,
            )
            for row in plan.create
        )
        index_changed(meeting.pk)  # the bulk writes above send no signals
    return plan


CAPTIONS_MAX_BYTES = 5 * 1024 * 1024


def captions_upload(*, meeting: Meeting, language: str, file, by) -> Captions:
    """Store a WebVTT file as the meeting's captions in one language (replacing any before).

    A file with broken cues is refused whole, every problem named with its line number, and
    nothing changes.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("Unknown language: %(code)s.") % {"code": language}, code="language"
        )
    check_size(file, CAPTIONS_MAX_BYTES)
    file.seek(0)
    data = file.read(CAPTIONS_MAX_BYTES + 1)
    check_size(ContentFile(data), CAPTIONS_MAX_BYTES)  # a file that lied about its size
    parsed = vtt_checked(data)
    with transaction.atomic():
        _lock(meeting)
        captions = Captions.objects.filter(meeting=meeting, language=language).first()
        old_name = captions.vtt.name if captions and captions.vtt else None
        captions = captions or Captions(meeting=meeting, language=language)
        captions.vtt.save(f"{meeting.pk}-{language}.vtt", ContentFile(data), save=False)
        captions.text = parsed.text
        captions.save()
        CaptionCue.objects.filter(captions=captions).delete()
        CaptionCue.objects.bulk_create(
            CaptionCue(
                captions=captions,
                meeting=meeting,
                start_ms=cue.start_ms,
                end_ms=cue.end_ms,
                text=cue.plain_text,
            )
            for cue in parsed.cues
            if cue.plain_text
        )
        index_changed(meeting.pk)
        if old_name and old_name != captions.vtt.name:
            storage = captions.vtt.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return captions


def vtt_checked(data: bytes) -> vtt.Parsed:
    """WebVTT captions parsed, or ValidationError naming every broken cue by its line (what
    this parser accepts plays in browsers). Meetings' and presentations' captions."""
    parsed = vtt.parse(data)
    if not parsed.ok:
        messages = [
            _("Line %(line)s: %(problem)s") % {"line": p.line, "problem": caption_problem(p)}
            for p in parsed.problems
        ]
        if parsed.more_problems:
            messages.append(_("… and %(count)s more problems.") % {"count": parsed.more_problems})
        raise ValidationError(
            [_("The captions file is not valid WebVTT; nothing was saved."), *messages],
            code="invalid_vtt",
        )
    if not parsed.cues:
        raise ValidationError(_("The captions file has no cues."), code="empty")
    return parsed


def caption_problem(problem: vtt.Problem) -> str:
    """The parser's problem in the reader's language."""
    messages = {
        "no_header": _('The file must start with the line "WEBVTT".'),
        "not_utf8": _("The file is not UTF-8 text."),
        "binary": _("The file holds binary data, not text."),
        "header_not_separated": _("A blank line must separate the header from the first cue."),
        "no_timing": _("A cue needs a timing line such as 00:00:01.000 --> 00:00:04.000."),
        "bad_time": _('"%(value)s" is not a time such as 00:01:02.500 (hours optional).'),
        "ends_before_start": _("The cue ends (%(end)s) before or when it starts (%(start)s)."),
        "arrow_in_text": _('Cue text may not contain "-->" (is a blank line missing?).'),
        "out_of_order": _(
            "This cue starts at %(start)s, before the cue above it (%(previous)s); "
            "cues must be in time order."
        ),
    }
    message = messages.get(problem.code)
    return message % dict(problem.params) if message else problem.message


def format_offset(offset_ms: int) -> str:
    seconds = offset_ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


# --- helpers -------------------------------------------------------------------------


def _lock(meeting: Meeting) -> None:
    # Serialise writes to one meeting, then read its current state onto the caller's object.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk").first()
    meeting.refresh_from_db()


def _check_not_future(at: datetime) -> None:
    if at > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError(_("The mark's time is in the future."), code="future")


def _check_start(at: datetime) -> None:
    difference = at - timezone.now()
    if abs(difference) <= START_TOLERANCE:
        return
    values = {
        "minutes": int(START_TOLERANCE.total_seconds() // 60),
        "off": _rough_duration(abs(difference)),
    }
    if difference > timedelta(0):
        message = _(
            "A meeting goes live now: its start may be at most %(minutes)s minutes from the "
            "server's clock, and this one is %(off)s in the future."
        )
    else:
        message = _(
            "A meeting goes live now: its start may be at most %(minutes)s minutes from the "
            "server's clock, and this one is %(off)s in the past."
        )
    raise ValidationError(message % values, code="start_not_now")


def _rough_duration(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    if minutes < 120:
        return _("%(count)s minutes") % {"count": minutes}
    if minutes < 2 * 24 * 60:
        return _("%(count)s hours") % {"count": minutes // 60}
    return _("%(count)s days") % {"count": minutes // (24 * 60)}


def _offset_from(meeting: Meeting, at: datetime) -> int:
    _check_not_future(at)
    if meeting.recording_started_at is None:  # only if the status was set by hand
        raise ValidationError(
            _("The meeting has no recording start; set it in the meeting's form."),
            code="no_recording_start",
        )
    offset = int((at - meeting.recording_started_at).total_seconds() * 1000)
    if offset < 0:
        raise ValidationError(
            _("The mark's time is before the recording started."), code="before_start"
        )
    end = _end_offset(meeting)
    if end is not None and offset > end:
        raise ValidationError(_("The mark's time is after the meeting ended."), code="after_end")
    if offset > MAX_OFFSET.total_seconds() * 1000:
        raise ValidationError(
            _(
                "The mark's time is more than %(hours)s hours after the recording started; "
                "check the recording's start in the meeting's form."
            )
            % {"hours": int(MAX_OFFSET.total_seconds() // 3600)},
            code="too_late",
        )
    return offset


def _at_from(meeting: Meeting, offset_ms: int, default: datetime | None = None) -> datetime:
    if meeting.recording_started_at is not None:
        return meeting.recording_started_at + timedelta(milliseconds=offset_ms)
    return default or timezone.now()


def _end_offset(meeting: Meeting) -> int | None:
    end = (
        TimelineMark.objects.filter(meeting=meeting, kind=Kind.MEETING_END, is_undone=False)
        .order_by("offset_ms")
        .values_list("offset_ms", flat=True)
        .first()
    )
    if end is not None:
        return end
    if meeting.status == Meeting.Status.ENDED:
        return meeting.duration_ms
    return None


def _last_offset(meeting: Meeting, *, exclude: TimelineMark | None = None) -> int | None:
    marks = TimelineMark.objects.filter(meeting=meeting, is_undone=False)
    if exclude is not None:
        marks = marks.exclude(pk=exclude.pk)
    return marks.aggregate(last=Max("offset_ms"))["last"]


def _check_offset(meeting: Meeting, offset_ms: int) -> None:
    end = _end_offset(meeting)
    if meeting.status == Meeting.Status.LIVE and end is None:
        end = max(0, _live_edge(meeting))
    video = video_end_ms(meeting)
    if video is not None:
        end = video if end is None else min(end, video)
    if offset_ms < 0 or (end is not None and offset_ms > end):
        raise ValidationError(
            _("The time must lie between the start and the end of the meeting (0 to %(end)s).")
            % {"end": format_offset(end or 0)},
            code="out_of_range",
        )


def _live_edge(meeting: Meeting) -> int:
    started = meeting.recording_started_at or timezone.now()
    return int((timezone.now() - started).total_seconds() * 1000)


def mark_check(
    meeting: Meeting,
    kind: str,
    *,
    agenda_item: AgendaItem | None,
    person: Person | None,
    slide: Slide | None,
) -> None:
    if kind not in HAND_KINDS:
        raise ValidationError(
            _("Unknown kind of mark: %(kind)s.") % {"kind": kind}, code="bad_kind"
        )
    if kind == Kind.ITEM and agenda_item is None:
        raise ValidationError(_("Choose the agenda item that starts."), code="no_item")
    if kind == Kind.SPEAKER and person is None:
        raise ValidationError(_("Choose the person who speaks."), code="no_person")
    if kind == Kind.SLIDE and slide is None:
        raise ValidationError(_("Choose the slide that is shown."), code="no_slide")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError(
            _("The agenda item belongs to another meeting."), code="item_of_other_meeting"
        )
    if slide is not None and slide.deck.agenda_item.meeting_id != meeting.pk:
        raise ValidationError(
            _("The slide belongs to another meeting."), code="slide_of_other_meeting"
        )


def _create(meeting: Meeting, kind: str, offset_ms: int, *, at: datetime, by, **refs):
    return TimelineMark.objects.create(
        meeting=meeting,
        kind=kind,
        offset_ms=offset_ms,
        at=at,
        created_by=by if getattr(by, "pk", None) else None,
        **refs,
    )


def _after_write(meeting: Meeting, mark: TimelineMark, *, action: str) -> None:
    speaker_turns_rebuild(meeting=meeting)
    state = meeting_state(meeting, offset_ms=mark.offset_ms)
    state["action"] = action
    state["mark"] = {"id": mark.pk, "kind": mark.kind, "offset_ms": mark.offset_ms}
    live.publish_on_commit(meeting.channel, "mark", state)
    if action in ("start", "end"):  # the front page's "Live now" and "Next meetings"
        live.publish_on_commit("site:front", "front", {"sections": FRONT_SECTIONS})


# Meeting series: a recurring committee's coming meetings, made from its template.


def series_dates(*, series: MeetingSeries, first: date, count: int) -> list[date]:
    """`count` meeting days from `first` on, as the series repeats. Monthly keeps the
    weekday and its place in the month (the 2nd Tuesday); a fifth one becomes the last."""
    days = [first]
    while len(days) < count:
        last = days[-1]
        if series.repeat == MeetingSeries.Repeat.WEEKLY:
            days.append(last + timedelta(weeks=1))
        elif series.repeat == MeetingSeries.Repeat.FORTNIGHTLY:
            days.append(last + timedelta(weeks=2))
        else:
            nth = (first.day - 1) // 7
            year, month = (last.year + (last.month == 12), last.month % 12 + 1)
            day = date(year, month, 1)
            day += timedelta(days=(first.weekday() - day.weekday()) % 7 + 7 * nth)
            while day.month != month:  # no fifth such weekday this month: the last one
                day -= timedelta(weeks=1)
            days.append(day)
    return days


def agenda_template_rows(text: str) -> list[tuple[str, str]]:
    """The standing agenda items: "1. Title" lines (or titles alone, numbered in order)."""
    rows = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        number, dot, title = line.partition(". ")
        if dot and number.replace(".", "").isdigit() and title:
            rows.append((number, title))
        else:
            rows.append((str(len(rows) + 1), line))
    return rows


def series_plan(*, series: MeetingSeries, first: date, count: int, by) -> list[Meeting]:
    """Make the series' meetings on `count` days from `first`, each with the series' title,
    place, time, length, video, speakers and standing agenda items. A day that already has
    a meeting of the series is skipped, so planning twice makes nothing twice."""
    if not by.has_perm("webcasts.plan_series", series):
        raise PermissionDenied
    if not 1 <= count <= 52:
        raise ValueError("plan 1 to 52 meetings at a time")
    zone = timezone.get_current_timezone()
    taken = {
        timezone.localtime(at).date() for at in series.meetings.values_list("starts_at", flat=True)
    }
    speakers = list(series.speakers.all())
    agenda = agenda_template_rows(series.agenda_template)
    made = []
    with transaction.atomic():
        for day in series_dates(series=series, first=first, count=count):
            if day in taken:
                continue
            starts_at = datetime.combine(day, series.starts_at_time, tzinfo=zone)
            meeting = Meeting.objects.create(
                body=series.body,
                series=series,
                title=series.title,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=series.duration_minutes),
                place=series.place,
                description=series.description,
                is_published=series.is_published,
                video_kind=series.video_kind,
            )
            meeting.speakers.set(speakers)
            AgendaItem.objects.bulk_create(
                [
                    AgendaItem(meeting=meeting, number=number, title=title, position=position)
                    for position, (number, title) in enumerate(agenda)
                ]
            )
            made.append(meeting)
    return made
