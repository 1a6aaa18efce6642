from django.core.management.base import BaseCommand

from samskab.hearings.services import phases_announce


class Command(BaseCommand):
    help = "Tell each hearing's followers about the phases that opened (run every few minutes)."

    def handle(self, *args, **options) -> None:
        told = phases_announce()
        self.stdout.write(f"{told} phase(s) announced")
