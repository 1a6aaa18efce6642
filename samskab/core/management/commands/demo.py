"""`samskab demo`: create or refresh the demo municipality. Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samskab.core.demo import DEMO_CENSUS, DEMO_PASSWORD, demo_load
from samskab.streaming.demo import demo_streaming_load
from samskab.webcasts.media_demo import demo_media_load


class Command(BaseCommand):
    help = "Create or refresh the demo municipality (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo has known passwords and is refused in production.")
        logins = demo_load()
        # After the demo's transaction: the recording takes ffmpeg a while (once).
        for line in demo_media_load():
            self.stdout.write(line)
        streaming_lines = demo_streaming_load()
        self.stdout.write(self.style.SUCCESS("Demo municipality ready."))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            self.stdout.write(f"  {email:<32} {role}")
        self.stdout.write(
            "Census rows to verify residence with (CPR number, birth date, postal code):"
        )
        for identifier, birth, postal in DEMO_CENSUS:
            self.stdout.write(f"  {identifier}  {birth}  {postal}")
        for line in streaming_lines:
            self.stdout.write(line)
