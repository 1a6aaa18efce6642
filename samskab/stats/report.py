"""The monthly report for the council's secretariat: the month's figures as an HTML e-mail
(with a plain-text part), sent by the worker to the staff chosen in the statistics settings.

The scheduled task runs every hour; in the first week of a month it sends the previous
month's report once (RollupState.last_report_month remembers which was sent).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab.stats import selectors as s
from samskab.stats.models import Metric, RollupState, StatsSettings


def month_period(day: date) -> s.Period:
    """The calendar month before the one `day` is in."""
    first_this = day.replace(day=1)
    last_prev = first_this - timedelta(days=1)
    return s.Period(last_prev.replace(day=1), last_prev)


def report_context(period: s.Period) -> dict:
    from samskab.core.models import SiteSettings
    from samskab.webcasts.models import Body

    site = s.Scope("site")
    # The month before, for comparison (not the same number of days: the calendar month).
    previous = month_period(period.start)
    now = s._sums(site, period, s.MEETING_TOTALS + s.PROCESS_TOTALS)
    before = s._sums(site, previous, s.MEETING_TOTALS + s.PROCESS_TOTALS)
    totals = [
        s.Total(
            str(m),
            str(Metric(m).label),
            s._shown(m, now.get(m, 0)),
            s._shown(m, before.get(m, 0)),
            m in s.SECONDS,
        )
        for m in s.MEETING_TOTALS + s.PROCESS_TOTALS
    ]
    bodies = []
    for body in Body.objects.all():
        scope = s.Scope("body", body.pk)
        sums = s._sums(scope, period, [Metric.VIEWERS, Metric.WATCH_S])
        if sums:
            bodies.append(
                {
                    "name": body.name,
                    "viewers": s.suppress_one(sums.get(Metric.VIEWERS, 0)),
                    "watch_h": round(sums.get(Metric.WATCH_S, 0) / 3600, 1),
                }
            )
    return {
        "site_name": SiteSettings.current().name,
        "period": period,
        "previous": previous,
        "totals": totals,
        "bodies": bodies,
        "meetings": s.by_meeting(site, period, limit=10),
        "processes": s.by_process(period),
        "dashboard_url": settings.SITE_URL
        + f"/statistik/?fra={period.start.isoformat()}&til={period.end.isoformat()}",
    }


def report_send(period: s.Period, recipients: list[str]) -> int:
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = report_context(period)
        subject = _("Statistics for %(month)s: %(site)s") % {
            "month": period.start.strftime("%Y-%m"),
            "site": context["site_name"],
        }
        text = render_to_string("stats/email/monthly_report.txt", context)
        html = render_to_string("stats/email/monthly_report.html", context)
    message = EmailMultiAlternatives(subject, text, to=recipients)
    message.attach_alternative(html, "text/html")
    message.send()
    return len(recipients)


def report_due_send(*, today: date | None = None) -> int:
    """Send last month's report if it is the first week of the month and it was not sent."""
    today = today or timezone.localdate()
    if today.day > 7:
        return 0
    period = month_period(today)
    month = period.start.strftime("%Y-%m")
    state, _created = RollupState.objects.get_or_create(pk=1)
    if state.last_report_month == month:
        return 0
    recipients = [
        user.email
        for user in StatsSettings.objects.get_or_create(pk=1)[0].report_recipients.filter(
            is_active=True
        )
        if user.email
    ]
    sent = report_send(period, recipients)
    RollupState.objects.filter(pk=1).update(last_report_month=month)
    return sent
