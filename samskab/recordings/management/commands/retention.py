"""Delete the recordings whose archive period has run out (run daily by a timer)."""

from django.core.management.base import BaseCommand

from samskab.recordings import services


class Command(BaseCommand):
    help = "Delete recordings whose retention period has run out; keep the agenda and a notice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due without deleting it."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            for meeting in services.retention_due():
                self.stdout.write(f"due: {meeting.pk} {meeting}")
            return
        removed = services.retention_run()
        for meeting in removed:
            self.stdout.write(f"removed: {meeting.pk} {meeting}")
        self.stdout.write(f"{len(removed)} recordings removed.")
