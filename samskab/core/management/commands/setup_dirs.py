"""`samskab setup_dirs`: make the folders a deployment writes, with their modes."""

from django.core.management.base import BaseCommand

from samskab.core import paths


class Command(BaseCommand):
    help = (
        "Make MEDIA_ROOT, STATIC_ROOT and the private folder (uploads, masters, hidden "
        "recordings) with their modes. Run it as the service user; safe to run again."
    )
    # The storage check would only say what this command is about to fix.
    requires_system_checks: list = []

    def handle(self, *args, **options):
        for path, mode, made in paths.setup_dirs():
            self.stdout.write(f"{'made' if made else 'ok  '} {oct(mode)[2:]} {path}")
        media, private = paths.media_root(), paths.private_root()
        if not paths.same_device(media, private):
            self.stderr.write(
                f"Warning: {media} and {private} are on different file systems; keep them "
                "in one folder so hiding a recording is a rename."
            )
