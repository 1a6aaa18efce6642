"""`samskab notifications_digest`: once a day (docs/deploy/samskab-digest.timer), one e-mail
per person with the news they chose to get in a digest."""

from django.core.management.base import BaseCommand

from samskab.notifications.services import digest_send


class Command(BaseCommand):
    help = "E-mail each person their daily digest of notifications."

    def handle(self, *args, **options) -> None:
        sent = digest_send()
        self.stdout.write(f"{sent} digest(s) sent")
