"""Recount every proposal's supports and comments and its hot score from the rows.

The counters move with each support and comment already; run this now and then (e.g.
nightly from cron) to catch what changes without passing through them.
"""

from django.core.management.base import BaseCommand

from samskab.proposals.services import proposals_recount


class Command(BaseCommand):
    help = "Recount proposals' supports, comments and hot scores."

    def handle(self, *args, **options) -> None:
        changed = proposals_recount()
        self.stdout.write(f"{changed} proposals recounted with a change.")
