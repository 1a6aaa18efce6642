"""Recount every debate's votes and comments and its hot score from the rows.

The counters move with each vote and comment already; run this now and then (e.g. nightly
from cron) to catch what changes without passing through them, such as comments a
moderator takes down in bulk. The hot score itself needs no timer (debates/scoring.py).
"""

from django.core.management.base import BaseCommand

from samskab.debates.services import debates_rescore


class Command(BaseCommand):
    help = "Recount debates' votes, comments and hot scores."

    def handle(self, *args, **options) -> None:
        changed = debates_rescore()
        self.stdout.write(f"{changed} debates recounted with a change.")
