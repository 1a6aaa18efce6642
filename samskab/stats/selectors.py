"""What the statistics dashboards and the monthly report show, read from the day and minute
totals only (never from raw events), with small counts suppressed as in budgets' statistics
(core.smallcounts): no count of people or actions from 1 to MIN_CELL - 1 is shown, and a
breakdown hides a second cell when one hidden cell could be worked out from the total."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.core.smallcounts import MIN_CELL, suppress, suppress_one
from samskab.stats.models import DayStat, Dropped, Metric, MinuteStat

MAX_DAYS = 2 * 366
# Metrics that are seconds, not counts: shown in hours or minutes, never suppressed alone.
SECONDS = {
    Metric.WATCH_S,
    Metric.WATCH_LIVE_S,
    Metric.WATCH_ARCHIVE_S,
    Metric.WATCH_ITEM_S,
    Metric.WATCH_SPEAKER_S,
}
# Metrics whose day values are not added up over a period but the largest taken.
LARGEST = {Metric.PEAK}
MEETING_TOTALS = [
    Metric.VIEWERS,
    Metric.PEAK,
    Metric.PLAYS,
    Metric.WATCH_S,
    Metric.WATCH_LIVE_S,
    Metric.WATCH_ARCHIVE_S,
    Metric.JUMPS,
    Metric.SHARES,
    Metric.EMBEDS,
    Metric.CLIPS,
    Metric.FEEDBACK,
    Metric.VOTES,
    Metric.ANSWERS,
    Metric.COMMENTS,
]
PROCESS_TOTALS = [Metric.VISITS, Metric.SUPPORTS, Metric.BALLOTS, Metric.PROPOSALS]
DEVICE_LABELS = {
    "mobile": gettext_lazy("Phone"),
    "tablet": gettext_lazy("Tablet"),
    "desktop": gettext_lazy("Computer"),
}
NETWORK_LABELS = {
    "facebook": "Facebook",
    "x": "X",
    "linkedin": "LinkedIn",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "email": gettext_lazy("E-mail"),
    "copy": gettext_lazy("Link copied"),
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def period_parse(start: str | None, end: str | None, *, default_days: int = 30) -> Period:
    """The period asked for (?fra=&til= as YYYY-MM-DD), clamped; the last 30 days if not."""
    today = timezone.localdate()

    def parse(value: str | None) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    last = parse(end) or today
    first = parse(start) or last - timedelta(days=default_days - 1)
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
    return Period(first, last)


@dataclass(frozen=True)
class Scope:
    """What a dashboard is about: the whole site, a body, a meeting or a budget."""

    kind: str
    pk: int | None = None

    def q(self) -> Q:
        if self.kind == "meeting":
            return Q(meeting_id=self.pk)
        if self.kind == "body":
            return Q(body_id=self.pk)
        if self.kind == "budget":
            return Q(process=f"budget:{self.pk}")
        return Q()


@dataclass
class Total:
    metric: str
    label: str
    value: int | None  # None: suppressed
    previous: int | None
    is_seconds: bool

    @property
    def change(self) -> int | None:
        """Per cent against the previous period, when both are shown and it had any."""
        if self.value is None or not self.previous:
            return None
        return round((self.value - self.previous) * 100 / self.previous)


def _shown(metric: str, value: int) -> int | None:
    return value if metric in SECONDS else suppress_one(value)


def _sums(scope: Scope, period: Period, metrics: list) -> dict[str, int]:
    rows = DayStat.objects.filter(
        scope.q(), day__gte=period.start, day__lte=period.end, metric__in=metrics, key=""
    )
    found: dict[str, int] = {}
    for row in rows.values("metric").annotate(total=Sum("value"), largest=Max("value")):
        found[row["metric"]] = row["largest"] if row["metric"] in LARGEST else row["total"]
    if Metric.PEAK in metrics and scope.kind in ("body", "site"):
        # The peak of a body or the site: the most at once in any one meeting.
        peak = rows.filter(metric=Metric.PEAK).aggregate(m=Max("value"))["m"]
        found[Metric.PEAK] = peak or 0
    return found


def totals(scope: Scope, period: Period, metrics: list) -> list[Total]:
    now = _sums(scope, period, metrics)
    before = _sums(scope, period.previous(), metrics)
    return [
        Total(
            str(metric),
            str(Metric(metric).label),
            _shown(metric, now.get(metric, 0)),
            _shown(metric, before.get(metric, 0)),
            metric in SECONDS,
        )
        for metric in metrics
    ]


@dataclass
class Series:
    """Values per day of a few metrics: a line chart and its table."""

    labels: list[str]
    columns: list[str]
    rows: list[tuple[str, list[int | None]]] = field(default_factory=list)


def daily(scope: Scope, period: Period, metrics: list) -> Series:
    by_day: dict[tuple[date, str], int] = defaultdict(int)
    for row in (
        DayStat.objects.filter(
            scope.q(), day__gte=period.start, day__lte=period.end, metric__in=metrics, key=""
        )
        .values("day", "metric")
        .annotate(total=Sum("value"), largest=Max("value"))
    ):
        value = row["largest"] if row["metric"] in LARGEST else row["total"]
        by_day[(row["day"], row["metric"])] = value
    series = Series(
        labels=[str(Metric(m).label) for m in metrics], columns=[str(m) for m in metrics]
    )
    for day in period.each_day():
        values = [by_day.get((day, m), 0) for m in metrics]
        series.rows.append(
            (day.isoformat(), [_per_unit(m, v) for m, v in zip(metrics, values, strict=True)])
        )
    return series


def _per_unit(metric: str, value: int) -> int | None:
    if metric in SECONDS:
        return round(value / 60)  # minutes
    return suppress_one(value)


@dataclass
class Breakdown:
    metric: str
    title: str
    unit: str
    rows: list[tuple[str, int | None]]
    note: str = ""

    @property
    def any_suppressed(self) -> bool:
        return any(value is None for _label, value in self.rows)


def breakdown(
    scope: Scope, period: Period, metric: str, *, labels=None, viewers: int | None = None
) -> Breakdown:
    """One metric by its key (item, speaker, network, site, device), suppressed."""
    counts: Counter[str] = Counter()
    for row in (
        DayStat.objects.filter(scope.q(), day__gte=period.start, day__lte=period.end, metric=metric)
        .exclude(key="")
        .values("key")
        .annotate(total=Sum("value"))
    ):
        counts[row["key"]] = row["total"]
    title = str(Metric(metric).label)
    if metric in SECONDS:
        unit = _("minutes")
        if viewers is not None and viewers < MIN_CELL and counts:
            note = _("Hidden: fewer than %(n)s viewers in the period.") % {"n": MIN_CELL}
            return Breakdown(metric, title, unit, [], note)
        rows = sorted(counts.items(), key=lambda kv: -kv[1])
        shown: list[tuple[str, int | None]] = [(key, round(value / 60)) for key, value in rows]
    else:
        unit = _("number")
        shown = [(cell.key, cell.count) for cell in suppress(counts)]
        shown.sort(key=lambda kv: -(kv[1] or 0))
    named = [(str(labels(key)) if labels else key, value) for key, value in shown]
    return Breakdown(metric, title, unit, named)


def viewer_days(scope: Scope, period: Period) -> int:
    return _sums(scope, period, [Metric.VIEWERS]).get(Metric.VIEWERS, 0)


def concurrent(meeting_id: int, period: Period, *, points: int = 240) -> Series:
    """Viewers at once over time, in at most `points` steps (the most in each step)."""
    start = timezone.make_aware(datetime.combine(period.start, dtime.min))
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), dtime.min))
    rows = list(
        MinuteStat.objects.filter(
            meeting_id=meeting_id,
            minute__gte=int(start.timestamp() // 60),
            minute__lt=int(end.timestamp() // 60),
        )
        .order_by("minute")
        .values_list("minute", "viewers", "live_viewers")
    )
    series = Series(labels=[_("Viewers"), _("Of them live")], columns=["viewers", "live"])
    if not rows:
        return series
    first, last = rows[0][0], rows[-1][0]
    step = max(1, -(-(last - first + 1) // points))
    buckets: dict[int, tuple[int, int]] = {}
    for minute, viewers, live in rows:
        bucket = first + (minute - first) // step * step
        old = buckets.get(bucket, (0, 0))
        buckets[bucket] = (max(old[0], viewers), max(old[1], live))
    for bucket, (viewers, live) in sorted(buckets.items()):
        when = timezone.localtime(datetime.fromtimestamp(bucket * 60, tz=UTC))
        series.rows.append((when.strftime("%Y-%m-%d %H:%M"), [viewers, live]))
    return series


def by_meeting(scope: Scope, period: Period, *, limit: int = 50) -> list[dict]:
    """Meetings of a body or the site in the period, most watched first."""
    from samskab.webcasts.models import Meeting

    rows = (
        DayStat.objects.filter(
            scope.q(),
            day__gte=period.start,
            day__lte=period.end,
            key="",
            metric__in=[Metric.VIEWERS, Metric.WATCH_S, Metric.PLAYS],
        )
        .exclude(meeting_id=None)
        .values("meeting_id", "metric")
        .annotate(total=Sum("value"))
    )
    found: dict[int, dict] = defaultdict(dict)
    for row in rows:
        if row["meeting_id"] is not None:
            found[row["meeting_id"]][row["metric"]] = row["total"]
    meetings = Meeting.objects.in_bulk(list(found)) if found else {}
    ordered = sorted(found.items(), key=lambda kv: -kv[1].get(Metric.WATCH_S, 0))[:limit]
    return [
        {
            "meeting": meetings.get(pk),
            "pk": pk,
            "viewers": suppress_one(values.get(Metric.VIEWERS, 0)),
            "plays": suppress_one(values.get(Metric.PLAYS, 0)),
            "watch_min": round(values.get(Metric.WATCH_S, 0) / 60),
        }
        for pk, values in ordered
    ]


def by_process(period: Period) -> list[dict]:
    """Citizens' budgets: visits, supports, ballots, proposals in the period."""
    from samskab.budgets.models import Budget

    rows = (
        DayStat.objects.filter(
            day__gte=period.start, day__lte=period.end, process__startswith="budget:"
        )
        .values("process", "metric")
        .annotate(total=Sum("value"))
    )
    found: dict[int, dict] = defaultdict(dict)
    for row in rows:
        found[int(row["process"].split(":")[1])][row["metric"]] = row["total"]
    budgets = Budget.objects.in_bulk(list(found)) if found else {}
    return [
        {
            "budget": budgets.get(pk),
            "pk": pk,
            **{str(m): suppress_one(values.get(m, 0)) for m in PROCESS_TOTALS},
        }
        for pk, values in sorted(found.items())
    ]


def dropped(period: Period) -> list[tuple[str, int]]:
    rows = (
        Dropped.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("reason")
        .annotate(total=Sum("count"))
        .order_by("reason")
    )
    return [(row["reason"], row["total"]) for row in rows]


# --- labels for the breakdowns ----------------------------------------------------------


def item_labels(meeting_id: int):
    from samskab.webcasts.models import AgendaItem
    from samskab.webcasts.selectors import item_heading

    items = {str(i.pk): item_heading(i) for i in AgendaItem.objects.filter(meeting_id=meeting_id)}
    return lambda key: items.get(key, _("An item no longer on the agenda"))


def clip_labels(meeting_id: int):
    from samskab.recordings.models import Clip

    clips = {str(c.pk): c.title for c in Clip.objects.filter(meeting_id=meeting_id)}
    return lambda key: clips.get(key, _("A clip no longer shown"))


def person_labels(keys=None):
    from samskab.webcasts.models import Person

    people = {str(p.pk): p.shown_name for p in Person.objects.all()}
    return lambda key: people.get(key, _("Someone no longer listed"))


def device_label(key: str) -> str:
    return str(DEVICE_LABELS.get(key, key))


def network_label(key: str) -> str:
    return str(NETWORK_LABELS.get(key, key))
