"""Delete the recordings whose archive period has run out (run daily by a timer)."""

from django.core.management.base import BaseCommand

from samskab.core.locks import LockHeld
from samskab.recordings import services


class Command(BaseCommand):
    help = "Delete recordings whose retention period has run out; keep the agenda and a notice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due without deleting it."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            due = services.retention_due()
            for meeting in due:
                self.stdout.write(f"due: {meeting.pk} {meeting}")
            self.stdout.write(f"{len(due)} recordings due.")
            return
        try:
            removed = services.retention_run()
        except LockHeld as held:
            # Another host's timer is running it now: nothing to do here (not an error).
            self.stdout.write(f"Not run: {held}.")
            return
        for meeting in removed:
            self.stdout.write(f"removed: {meeting.pk} {meeting}")
        self.stdout.write(f"{len(removed)} recordings removed.")
