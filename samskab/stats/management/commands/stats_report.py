"""`samskab stats_report [--month YYYY-MM] [--to address ...]`: send a monthly report now."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from samskab.stats.report import month_period, report_send
from samskab.stats.rollup import rollup


class Command(BaseCommand):
    help = "Roll the statistics up and e-mail a month's report (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; last month if not given.")
        parser.add_argument("--to", nargs="+", required=True, help="E-mail addresses.")

    def handle(self, *args, month, to, **options):
        if month:
            try:
                first = date.fromisoformat(f"{month}-01")
            except ValueError:
                raise CommandError("--month must be YYYY-MM") from None
            period = month_period((first + timedelta(days=32)).replace(day=1))
        else:
            period = month_period(date.today())
        rollup()
        sent = report_send(period, to)
        self.stdout.write(f"Sent the report for {period.start:%Y-%m} to {sent} address(es).")
