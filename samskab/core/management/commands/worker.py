"""`samskab worker`: run background tasks from the database queue (samskab.core.worker)."""

import socket
import uuid

from django.core.management.base import BaseCommand

from samskab.core.worker import SamskabWorker


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument(
            "--grace",
            type=float,
            default=120.0,
            help="On SIGTERM, seconds to let the running task finish before handing it back "
            "(keep below the unit's TimeoutStopSec).",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args, batch, grace, interval, **options):
        worker = SamskabWorker(
            grace=grace,
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=f"{socket.gethostname()[:40]}-{uuid.uuid4().hex[:12]}",
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
