"""The background worker (`samskab worker`): django-tasks' database worker that also writes a
heartbeat row (WorkerHeartbeat) every HEARTBEAT_S, so staff pages can say when none runs."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)

HEARTBEAT_S = 10
# A worker whose last beat is older than this is taken for dead.
STALE_AFTER_S = 60


def heartbeat(worker_id: str, *, started_at=None) -> None:
    from samskab.core.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "beat_at": now,
            "started_at": started_at or now,
        },
    )


def newest_heartbeat():
    from samskab.core.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


class SamskabWorker(Worker):
    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._started_at = timezone.now()
        self._beating = threading.Event()

    def _beat(self) -> None:
        while not self._beating.wait(HEARTBEAT_S):
            try:
                heartbeat(self.worker_id, started_at=self._started_at)
            except Exception:  # the database may be away for a moment; the next beat tries
                logger.exception("Worker heartbeat failed")
            finally:
                connection.close()

    def run(self) -> None:
        heartbeat(self.worker_id, started_at=self._started_at)
        close_old_connections()
        threading.Thread(target=self._beat, name="heartbeat", daemon=True).start()
        try:
            super().run()
        finally:
            self._beating.set()
            from samskab.core.models import WorkerHeartbeat

            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def tasks_wait_for_worker() -> bool:
    """Whether tasks wait in the database for `samskab worker` (not run in the process)."""
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
