"""The statistics dashboards for staff: the whole site, a body, a meeting, a budget.

Each chart is drawn by dashboard.js from the table beneath it, which is the accessible
version (and the page works without JavaScript as tables). ?fra=&til= choose the period;
every figure is compared with the period of the same length before; ?format=csv downloads
the page's figures."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samskab.core.csvsafe import safe_row
from samskab.stats import selectors as s
from samskab.stats.models import Metric


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("stats.view_stats"):
        raise PermissionDenied


def _period(request: HttpRequest, default_days: int = 30) -> s.Period:
    return s.period_parse(request.GET.get("fra"), request.GET.get("til"), default_days=default_days)


def _render(request: HttpRequest, context: dict) -> HttpResponse:
    if request.GET.get("format") == "csv":
        return _csv(context)
    period: s.Period = context["period"]
    context["previous"] = period.previous()
    today = timezone.localdate()
    context["quick"] = [
        (label, today - timedelta(days=days - 1), today)
        for days, label in ((7, _("Last 7 days")), (30, _("Last 30 days")), (365, _("Last year")))
    ]
    return render(request, "stats/dashboard.html", context)


def _csv(context: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistik-{context["slug"]}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a byte order mark
    writer = csv.writer(response)

    def write(cells: list) -> None:
        writer.writerow(safe_row(cells))  # titles and labels may start like a formula

    period, previous = context["period"], context["period"].previous()
    write(
        [
            _("Section"),
            _("What"),
            f"{period.start}–{period.end}",
            f"{previous.start}–{previous.end}",
        ]
    )
    hidden = _("hidden")
    for total in context["totals"]:
        write([_("Totals"), total.label, _cell(total.value, hidden), _cell(total.previous, hidden)])
    for series in context.get("series", []):
        for label, values in series["data"].rows:
            for column, value in zip(series["data"].labels, values, strict=True):
                write([series["title"], f"{label} {column}", _cell(value, hidden), ""])
    for part in context.get("breakdowns", []):
        for label, value in part.rows:
            write([f"{part.title} ({part.unit})", label, _cell(value, hidden), ""])
    for row in context.get("meetings", []):
        title = str(row["meeting"]) if row["meeting"] else str(row["pk"])
        write([_("Meetings"), title, row["watch_min"], ""])
    return response


def _cell(value, hidden) -> str:
    return hidden if value is None else str(value)


@require_GET
@login_required
def site(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    from samskab.webcasts.models import Body

    period = _period(request)
    scope = s.Scope("site")
    bodies = []
    for body in Body.objects.all():
        viewers = s.viewer_days(s.Scope("body", body.pk), period)
        bodies.append((body, s.suppress_one(viewers)))
    context = {
        "title": _("Statistics for the whole site"),
        "slug": "site",
        "period": period,
        "totals": s.totals(scope, period, s.MEETING_TOTALS + s.PROCESS_TOTALS),
        "series": [
            {
                "id": "daily",
                "title": _("Viewers, plays and watch time per day"),
                "kind": "line",
                "data": s.daily(scope, period, [Metric.VIEWERS, Metric.PLAYS, Metric.WATCH_S]),
            }
        ],
        "breakdowns": [
            s.breakdown(scope, period, Metric.DEVICES, labels=s.device_label),
            s.breakdown(scope, period, Metric.SHARES, labels=s.network_label),
            s.breakdown(scope, period, Metric.EMBEDS),
        ],
        "meetings": s.by_meeting(scope, period),
        "bodies": bodies,
        "processes": s.by_process(period),
        "dropped": s.dropped(period),
    }
    return _render(request, context)


@require_GET
@login_required
def body(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    from samskab.webcasts.models import Body

    body = get_object_or_404(Body, pk=pk)
    period = _period(request)
    scope = s.Scope("body", pk)
    context = {
        "title": _("Statistics for %(name)s") % {"name": body.name},
        "slug": f"organ-{pk}",
        "period": period,
        "totals": s.totals(scope, period, s.MEETING_TOTALS),
        "series": [
            {
                "id": "daily",
                "title": _("Viewers, plays and watch time per day"),
                "kind": "line",
                "data": s.daily(scope, period, [Metric.VIEWERS, Metric.PLAYS, Metric.WATCH_S]),
            }
        ],
        "breakdowns": [
            s.breakdown(scope, period, Metric.DEVICES, labels=s.device_label),
            s.breakdown(scope, period, Metric.SHARES, labels=s.network_label),
            s.breakdown(scope, period, Metric.EMBEDS),
        ],
        "meetings": s.by_meeting(scope, period),
    }
    return _render(request, context)


@require_GET
@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    from samskab.webcasts.models import Meeting

    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    # By default from the meeting's day to today (at most a year).
    since = timezone.localdate(meeting.starts_at)
    days = max(1, min(365, (timezone.localdate() - since).days + 1))
    period = _period(request, default_days=days)
    scope = s.Scope("meeting", pk)
    viewers = s.viewer_days(scope, period)
    context = {
        "title": _("Statistics for %(meeting)s") % {"meeting": meeting},
        "slug": f"moede-{pk}",
        "meeting": meeting,
        "period": period,
        "totals": s.totals(scope, period, s.MEETING_TOTALS),
        "series": [
            {
                "id": "concurrent",
                "title": _("Viewers at once"),
                "kind": "line",
                "data": s.concurrent(pk, period),
            },
            {
                "id": "daily",
                "title": _("Viewers, plays and watch time per day"),
                "kind": "line",
                "data": s.daily(scope, period, [Metric.VIEWERS, Metric.PLAYS, Metric.WATCH_S]),
            },
        ],
        "breakdowns": [
            s.breakdown(
                scope, period, Metric.WATCH_ITEM_S, labels=s.item_labels(pk), viewers=viewers
            ),
            s.breakdown(
                scope, period, Metric.WATCH_SPEAKER_S, labels=s.person_labels(), viewers=viewers
            ),
            s.breakdown(scope, period, Metric.JUMPS, labels=s.item_labels(pk)),
            s.breakdown(scope, period, Metric.CLIPS, labels=s.clip_labels(pk)),
            s.breakdown(scope, period, Metric.SHARES, labels=s.network_label),
            s.breakdown(scope, period, Metric.EMBEDS),
            s.breakdown(scope, period, Metric.DEVICES, labels=s.device_label),
        ],
    }
    return _render(request, context)


@require_GET
@login_required
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    from samskab.budgets.models import Budget

    budget = get_object_or_404(Budget, pk=pk)
    period = _period(request)
    scope = s.Scope("budget", pk)
    context = {
        "title": _("Statistics for %(budget)s") % {"budget": budget.title},
        "slug": f"budget-{pk}",
        "period": period,
        "totals": s.totals(scope, period, s.PROCESS_TOTALS),
        "series": [
            {
                "id": "daily",
                "title": _("Visits, supports, ballots and proposals per day"),
                "kind": "bar",
                "data": s.daily(scope, period, s.PROCESS_TOTALS),
            }
        ],
        "breakdowns": [],
    }
    return _render(request, context)
