"""`samskab backup <folder>`: the database, MEDIA_ROOT and the private folder (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from samskab.core import backup, objectstore


class Command(BaseCommand):
    help = "Back up the database, the public and the private media; list the secrets to keep."

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="Folder to write the backup in.")

    def handle(self, *args, destination: Path, **options):
        folder = backup.backup(destination)
        self.stdout.write(f"Backup written to {folder}")
        self.stdout.write(backup.secrets_text())
        if objectstore.enabled():
            self.stdout.write(
                "Media are in object storage (MEDIA_STORAGE=s3): this backup holds only the "
                "local working folders. Back up the buckets with the store's own tools "
                "(versioning or replication; docs/deploy/object-storage.md)."
            )
