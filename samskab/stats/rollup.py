"""The roll-up: raw events into minute and day totals, then the raw events past the
retention deleted. Run by the worker every few minutes (tasks.rollup_task).

Idempotent: every day and minute that has new events since the last run is computed again
in full from the raw events (kept for `retention_days`, so a day is always whole when it is
computed), replacing what was there. Unique viewers are counted from the day's pseudonyms
(ingest.day_pseudonym) and only the number is kept.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from samskab.core.locks import exclusive
from samskab.stats import ingest
from samskab.stats.models import DayStat, Event, Metric, MinuteStat, RollupState, stats_settings

# Metrics computed from the raw events (the others come from the processes' own tables).
EVENT_METRICS = [
    Metric.PLAYS,
    Metric.VIEWERS,
    Metric.PEAK,
    Metric.WATCH_S,
    Metric.WATCH_LIVE_S,
    Metric.WATCH_ARCHIVE_S,
    Metric.WATCH_ITEM_S,
    Metric.WATCH_SPEAKER_S,
    Metric.DEVICES,
    Metric.JUMPS,
    Metric.SHARES,
    Metric.EMBEDS,
    Metric.CLIPS,
    Metric.VISITS,
]
# Counted from the capabilities' own tables, which already know: the processes' supports,
# ballots and proposals, and the participation in a meeting (vox pop votes are written by
# the fast vote path in one INSERT for many, which no model signal would see).
PROCESS_METRICS = [Metric.SUPPORTS, Metric.BALLOTS, Metric.PROPOSALS]
MEETING_SOURCE_METRICS = [Metric.FEEDBACK, Metric.VOTES, Metric.ANSWERS, Metric.COMMENTS]
# Events counted per meeting: kind -> metric.
PARTICIPATION = {"clip": Metric.CLIPS}
# The player's events with a breakdown by `detail`: kind -> metric.
BY_DETAIL = {
    "jump": Metric.JUMPS,
    "share": Metric.SHARES,
    "embed": Metric.EMBEDS,
    "clip": Metric.CLIPS,  # per clip; the meeting's total is PARTICIPATION's
}


def day_minutes(day: date) -> tuple[int, int]:
    """The local day as [first, last) minutes since the epoch."""
    start = timezone.make_aware(datetime.combine(day, dtime.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), dtime.min))
    return int(start.timestamp() // 60), int(end.timestamp() // 60)


def _segments(meeting_ids: set[int]) -> dict[int, tuple[list, list]]:
    """Per meeting: agenda segments [(start_s, end_s, item id)] and speaker turns
    [(start_s, end_s, person id)], from the webcasts index."""
    from samskab.webcasts.models import Meeting
    from samskab.webcasts.selectors import meeting_index

    found: dict[int, tuple[list, list]] = {}
    for meeting in Meeting.objects.filter(pk__in=meeting_ids):
        index = meeting_index(meeting)
        items, turns = [], []
        for entry in index.items:
            for segment in entry.segments:
                end = segment.end_ms if segment.end_ms is not None else 10**12
                items.append((segment.start_ms // 1000, end // 1000, entry.item.pk))
            for turn in entry.turns:
                end = turn.end_ms if turn.end_ms is not None else 10**12
                turns.append((turn.start_ms // 1000, end // 1000, turn.person.pk))
        for turn in index.turns_without_item:
            end = turn.end_ms if turn.end_ms is not None else 10**12
            turns.append((turn.start_ms // 1000, end // 1000, turn.person.pk))
        found[meeting.pk] = (items, turns)
    return found


def _at(spans: list, position: int) -> int | None:
    for start, end, key in spans:
        if start <= position < end:
            return key
    return None


def _minutes(first: int, last: int) -> None:
    """Concurrent viewers for the minutes first..last (inclusive), from the heartbeats."""
    rows = (
        Event.objects.filter(kind="hb", minute__gte=first, minute__lte=last)
        .exclude(meeting_id=None)
        .values("meeting_id", "minute")
        .annotate(
            viewers=Count("session", distinct=True),
            live_viewers=Count("session", distinct=True, filter=Q(live=True)),
        )
    )
    MinuteStat.objects.filter(minute__gte=first, minute__lte=last).delete()
    MinuteStat.objects.bulk_create(
        [
            MinuteStat(
                meeting_id=row["meeting_id"],
                minute=row["minute"],
                viewers=row["viewers"],
                live_viewers=row["live_viewers"],
            )
            for row in rows
        ],
        batch_size=2000,
    )


def _day(day: date, bodies: dict[int, int | None]) -> int:
    """Every event metric of one day, computed again from the day's raw events."""
    events = Event.objects.filter(day=day)
    out: dict[tuple[int | None, str, str, str], int] = defaultdict(int)

    def add(meeting_id, metric, value, key="", process=""):
        if value:
            out[(meeting_id, process, metric, str(key))] += int(value)

    meeting_events = events.exclude(meeting_id=None)
    for row in meeting_events.values("meeting_id", "kind").annotate(n=Count("id")):
        if row["kind"] == "play":
            add(row["meeting_id"], Metric.PLAYS, row["n"])
        elif row["kind"] in PARTICIPATION:
            add(row["meeting_id"], PARTICIPATION[row["kind"]], row["n"])
    player = meeting_events.filter(kind__in=["hb", "play"])
    for row in player.values("meeting_id").annotate(n=Count("viewer", distinct=True)):
        add(row["meeting_id"], Metric.VIEWERS, row["n"])
    for row in player.values("meeting_id", "device").annotate(n=Count("viewer", distinct=True)):
        add(row["meeting_id"], Metric.DEVICES, row["n"], key=row["device"] or "desktop")
    for row in (
        meeting_events.filter(kind__in=list(BY_DETAIL))
        .values("meeting_id", "kind", "detail")
        .annotate(n=Count("id"))
    ):
        add(row["meeting_id"], BY_DETAIL[row["kind"]], row["n"], key=row["detail"])
    # Watch time: in total, live or archive, and per agenda item and speaker at the position.
    watch = (
        meeting_events.filter(kind="hb")
        .values("meeting_id", "live", "position_s")
        .annotate(s=Sum("watched_s"))
    )
    rows = list(watch)
    spans = _segments({row["meeting_id"] for row in rows})
    for row in rows:
        meeting_id, seconds = row["meeting_id"], row["s"] or 0
        add(meeting_id, Metric.WATCH_S, seconds)
        add(meeting_id, Metric.WATCH_LIVE_S if row["live"] else Metric.WATCH_ARCHIVE_S, seconds)
        items, turns = spans.get(meeting_id, ([], []))
        position = row["position_s"] or 0
        item = _at(items, position)
        if item is not None:
            add(meeting_id, Metric.WATCH_ITEM_S, seconds, key=item)
        person = _at(turns, position)
        if person is not None:
            add(meeting_id, Metric.WATCH_SPEAKER_S, seconds, key=person)
    first, last = day_minutes(day)
    for row in (
        MinuteStat.objects.filter(minute__gte=first, minute__lt=last)
        .values("meeting_id")
        .annotate(peak=Max("viewers"))
    ):
        add(row["meeting_id"], Metric.PEAK, row["peak"])
    for row in (
        events.filter(kind="visit").exclude(process="").values("process").annotate(n=Count("id"))
    ):
        add(None, Metric.VISITS, row["n"], process=row["process"])

    missing = {key[0] for key in out if key[0] is not None} - set(bodies)
    if missing:
        from samskab.webcasts.models import Meeting

        bodies.update(dict(Meeting.objects.filter(pk__in=missing).values_list("pk", "body_id")))
    DayStat.objects.filter(day=day, metric__in=EVENT_METRICS).delete()
    DayStat.objects.bulk_create(
        [
            DayStat(
                day=day,
                meeting_id=meeting_id,
                body_id=bodies.get(meeting_id) if meeting_id is not None else None,
                process=process,
                metric=metric,
                key=key,
                value=value,
            )
            for (meeting_id, process, metric, key), value in out.items()
        ],
        batch_size=2000,
    )
    return len(out)


def _local_day_range(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, dtime.min))
    return start, start + timedelta(days=1)


def participation_days(days: list[date], bodies: dict[int, int | None]) -> None:
    """Feedback, vox pop votes, survey answers and live-blog comments per meeting and day,
    counted from the capabilities' own tables (none of them names anyone here)."""
    from django.contrib.contenttypes.models import ContentType

    from samskab.comments.models import Comment
    from samskab.feedback.models import FeedbackMessage
    from samskab.polls.models import Vote
    from samskab.surveys.models import Response
    from samskab.webcasts.models import Meeting

    meeting_type = ContentType.objects.get_for_model(Meeting)
    for day in days:
        start, end = _local_day_range(day)
        counts: dict[tuple[int, str], int] = defaultdict(int)
        sources = [
            (Metric.VOTES, Vote.objects.filter(created_at__gte=start, created_at__lt=end),
             "poll__meeting_id"),
            (Metric.ANSWERS, Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end),
             "survey__meeting_id"),
            (Metric.FEEDBACK,
             FeedbackMessage.objects.filter(created_at__gte=start, created_at__lt=end),
             "meeting_id"),
            (Metric.COMMENTS,
             Comment.objects.filter(content_type=meeting_type, is_spam=False,
                                    created_at__gte=start, created_at__lt=end),
             "object_id"),
        ]  # fmt: skip
        for metric, rows, meeting_field in sources:
            for row in rows.values(meeting_field).annotate(n=Count("id")):
                if row[meeting_field] is not None:
                    counts[(int(row[meeting_field]), metric)] += row["n"]
        missing = {meeting_id for meeting_id, _metric in counts} - set(bodies)
        if missing:
            bodies.update(dict(Meeting.objects.filter(pk__in=missing).values_list("pk", "body_id")))
        DayStat.objects.filter(day=day, metric__in=MEETING_SOURCE_METRICS).delete()
        DayStat.objects.bulk_create(
            [
                DayStat(day=day, meeting_id=meeting_id, body_id=bodies.get(meeting_id),
                        metric=metric, value=value)
                for (meeting_id, metric), value in counts.items()
            ]
        )  # fmt: skip


def process_days(days: list[date]) -> None:
    """Supports, ballots and proposals per citizens' budget and day, from budgets' tables."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import OuterRef, Subquery

    from samskab.budgets.models import Ballot, Project
    from samskab.supports.models import Support

    project_type = ContentType.objects.get_for_model(Project)
    for day in days:
        start, end = _local_day_range(day)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for row in (
            Ballot.objects.filter(created_at__gte=start, created_at__lt=end)
            .values("heading__group__budget_id")
            .annotate(n=Count("id"))
        ):
            counts[(f"budget:{row['heading__group__budget_id']}", Metric.BALLOTS)] += row["n"]
        for row in (
            Project.objects.filter(created_at__gte=start, created_at__lt=end)
            .values("heading__group__budget_id")
            .annotate(n=Count("id"))
        ):
            counts[(f"budget:{row['heading__group__budget_id']}", Metric.PROPOSALS)] += row["n"]
        budget_of = Project.objects.filter(pk=OuterRef("object_id")).values(
            "heading__group__budget_id"
        )[:1]
        for row in (
            Support.objects.filter(
                content_type=project_type, created_at__gte=start, created_at__lt=end
            )
            .annotate(budget=Subquery(budget_of))
            .values("budget")
            .annotate(n=Count("id"))
        ):
            if row["budget"] is not None:
                counts[(f"budget:{row['budget']}", Metric.SUPPORTS)] += row["n"]
        DayStat.objects.filter(day=day, metric__in=PROCESS_METRICS).delete()
        DayStat.objects.bulk_create(
            [
                DayStat(day=day, process=process, metric=metric, value=value)
                for (process, metric), value in counts.items()
            ]
        )


def rollup(*, now: datetime | None = None) -> dict:
    """Roll the new events up; delete the events past the retention. Returns what it did."""
    started = time.monotonic()
    now = now or timezone.now()
    ingest.flush()
    with exclusive("stats.rollup", expires_s=3600):
        state, _created = RollupState.objects.get_or_create(pk=1)
        newest = Event.objects.aggregate(m=Max("id"))["m"] or 0
        new = Event.objects.filter(id__gt=state.last_event_id, id__lte=newest)
        span = new.aggregate(first=Min("minute"), last=Max("minute"))
        days = sorted(set(new.values_list("day", flat=True).distinct()))
        today = timezone.localdate(now)
        # The capabilities' own counts move without events: always today and yesterday.
        process = sorted(set(days) | {today, today - timedelta(days=1)})
        bodies: dict[int, int | None] = {}
        rows = 0
        with transaction.atomic():
            if span["first"] is not None:
                _minutes(span["first"], span["last"])
            for day in days:
                rows += _day(day, bodies)
            process_days(process)
            participation_days(process, bodies)
            keep_from = today - timedelta(days=stats_settings().retention_days)
            deleted, _kinds = Event.objects.filter(day__lt=keep_from).delete()
            state.last_event_id = newest
            state.rolled_at = now
            state.save()
    return {
        "days": [day.isoformat() for day in days],
        "rows": rows,
        "deleted": deleted,
        "seconds": round(time.monotonic() - started, 3),
    }
