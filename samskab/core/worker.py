"""The background worker (`samskab worker`): django-tasks' database worker, plus what a
deployment needs of it.

- A heartbeat row (WorkerHeartbeat) every HEARTBEAT_S, for /readyz and for recovery.
- On SIGTERM it finishes the task it runs if that takes at most `grace` seconds; otherwise
  it hands the task back: long jobs (ffmpeg) stop, their service puts its object back to
  "waiting" and keeps its input, and the task is queued again (not failed) for the next
  worker. A second SIGTERM stops at once, like django-tasks' own worker.
- It queues again the tasks a worker that died (SIGKILL, power loss) left running: at start
  and with every heartbeat, so a worker that systemd restarts 2 s after its predecessor was
  killed still picks the task up. A worker is dead when its heartbeat is older than
  STALE_AFTER_S, or at once when it ran on this host and its process is gone.
- Scheduled jobs: an app registers a task with `schedule(task, every_s=...)` in its
  AppConfig.ready; with every heartbeat the worker queues those whose last run is older
  than their interval (and not still waiting or running), so no timer unit is needed.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

HEARTBEAT_S = 10
# A worker whose last beat is older than this is taken for dead.
STALE_AFTER_S = 60

# Set when the worker was asked to stop; `hand_back` when the running task must stop now.
stop_requested = threading.Event()
hand_back = threading.Event()


class TaskInterrupted(Exception):
    """Raised inside a task that stopped because the worker is stopping: it is queued again,
    and the service that raised it has kept its input."""


def interrupted() -> bool:
    return hand_back.is_set()


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


@dataclass(frozen=True)
class Scheduled:
    task: Any  # a django_tasks Task taking no arguments
    every_s: int


_schedule: dict[str, Scheduled] = {}


def schedule(task, *, every_s: int) -> None:
    """Have the worker run `task` (no arguments) every `every_s` seconds."""
    _schedule[task.module_path] = Scheduled(task, every_s)


def scheduled() -> list[Scheduled]:
    return list(_schedule.values())


def enqueue_due(now=None) -> list[str]:
    """Queue the scheduled tasks that are due. Two workers may both queue one at the same
    moment; a scheduled task that must not run twice at once takes a core.locks lock."""
    now = now or timezone.now()
    queued = []
    for path, job in _schedule.items():
        last = (
            DBTaskResult.objects.filter(task_path=path)
            .order_by("-enqueued_at")
            .values_list("enqueued_at", "status")
            .first()
        )
        if last is not None and (
            last[1] in (TaskResultStatus.READY, TaskResultStatus.RUNNING)
            or last[0] > now - timedelta(seconds=job.every_s)
        ):
            continue
        job.task.enqueue()
        queued.append(path)
    return queued


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def recover_abandoned(*, own_id: str, stale_after_s: int = STALE_AFTER_S) -> int:
    """Queue again the tasks left running by workers that stopped beating, or that ran on
    this host and whose process is gone. Returns how many."""
    from samskab.core.models import WorkerHeartbeat

    here = socket.gethostname()[:255]
    alive = {
        worker_id
        for worker_id, host, pid in WorkerHeartbeat.objects.filter(
            beat_at__gte=timezone.now() - timedelta(seconds=stale_after_s)
        ).values_list("worker_id", "host", "pid")
        if host != here or _process_exists(pid)
    } | {own_id}
    requeued = 0
    for result in DBTaskResult.objects.running():
        holder = result.worker_ids[-1] if result.worker_ids else ""
        if holder not in alive:
            requeue(result.pk)
            requeued += 1
            logger.warning("Task %s (%s) was left running by %s; queued again.",
                           result.pk, result.task_path, holder or "no worker")  # fmt: skip
    return requeued


def requeue(task_result_id) -> None:
    DBTaskResult.objects.filter(pk=task_result_id).update(
        status=TaskResultStatus.READY,
        started_at=None,
        finished_at=None,
        traceback="",
        exception_class_path="",
    )


class SamskabWorker(Worker):
    def __init__(self, *, grace: float, **options) -> None:
        super().__init__(**options)
        self.grace = grace
        self._started_at = timezone.now()
        self._beating = threading.Event()

    def shutdown(self, signum, frame) -> None:
        if self.running and self.running_task:
            stop_requested.set()
            logger.warning(
                "Received %s: finishing the current task, or handing it back after %s s.",
                signal.strsignal(signum),
                self.grace,
            )
            timer = threading.Timer(self.grace, hand_back.set)
            timer.daemon = True
            timer.start()
            self.running = False
            return
        super().shutdown(signum, frame)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        db_task_result.refresh_from_db(fields=["status", "exception_class_path"])
        interrupted_path = f"{TaskInterrupted.__module__}.{TaskInterrupted.__qualname__}"
        if db_task_result.exception_class_path == interrupted_path:
            requeue(db_task_result.pk)
            logger.warning("Task %s handed back: it is queued again.", db_task_result.pk)

    def _beat(self) -> None:
        while not self._beating.wait(HEARTBEAT_S):
            try:
                heartbeat(self.worker_id, started_at=self._started_at)
                # A worker killed just before this one started (Restart=always) was not
                # yet seen dead at our start; its task is handed back here.
                recover_abandoned(own_id=self.worker_id)
                # A batch worker empties the queue and stops; scheduled work would keep it
                # going (and is the long-running workers' to queue).
                if not self.batch:
                    enqueue_due()
            except Exception:  # the database may be away for a moment; the next beat tries
                logger.exception("Worker heartbeat failed")
            finally:
                connection.close()

    def run(self) -> None:
        heartbeat(self.worker_id, started_at=self._started_at)
        recover_abandoned(own_id=self.worker_id)
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
