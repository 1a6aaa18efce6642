"""`samskab demo`: create or refresh the demo municipality. Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samskab.core.demo import demo_load, demo_load_after_commit


class Command(BaseCommand):
    help = "Create or refresh the demo municipality (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo has known passwords and is refused in production.")
        context = demo_load()
        # After the demo's transaction: the recording takes ffmpeg a while (once).
        done = len(context["lines"])
        demo_load_after_commit(context)
        for line in context["lines"][done:]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo municipality ready."))
        for line in context["lines"][:done]:
            self.stdout.write(line)
