"""`samskab restore <backup folder>`: into the configured database and folders, or into
others (--database-url, --media-root, --private-root) to test a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samskab.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `samskab backup` into a new database and empty folders."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The backup's folder (samskab-<time>).")
        parser.add_argument("--database-url", help="Restore into this database instead.")
        parser.add_argument("--media-root", type=Path, help="Restore media into this folder.")
        parser.add_argument("--private-root", type=Path, help="Restore private files here.")

    def handle(self, *args, source, database_url, media_root, private_root, **options):
        try:
            manifest = backup.restore(
                source,
                database_url=database_url,
                media_root=media_root,
                private_root=private_root,
            )
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: the database, "
            f"{manifest['media_files']} media files and {manifest['private_files']} private files."
        )
        self.stdout.write(backup.secrets_text())
