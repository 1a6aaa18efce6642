"""The monthly report: sent once in the first week of a month, to the chosen staff."""

from datetime import date

import pytest
from django.core import mail

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.core import worker
from samskab.stats.models import DayStat, Metric, StatsSettings
from samskab.stats.report import report_due_send

pytestmark = pytest.mark.django_db


def test_the_report_goes_once_to_the_chosen_staff():
    editor = StaffFactory(role=Role.EDITOR, email="sekretariat@kommune.example")
    StatsSettings.objects.get_or_create(pk=1)[0].report_recipients.add(editor)
    DayStat.objects.create(day=date(2030, 2, 14), metric=Metric.PLAYS, value=42, meeting_id=1)
    DayStat.objects.create(day=date(2030, 1, 14), metric=Metric.PLAYS, value=3, meeting_id=1)
    assert report_due_send(today=date(2030, 3, 2)) == 1
    assert report_due_send(today=date(2030, 3, 3)) == 0  # already sent this month
    assert report_due_send(today=date(2030, 4, 20)) == 0  # past the first week
    message = mail.outbox[0]
    assert message.to == ["sekretariat@kommune.example"]
    html = message.alternatives[0][0]
    assert "42" in html and "–" in html  # January's 3 plays are hidden
    assert "<table" in html


def test_the_worker_queues_the_scheduled_jobs_when_due(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rollup_path = "samskab.stats.tasks.rollup_task"
    assert rollup_path in {job.task.module_path for job in worker.scheduled()}
    assert rollup_path in worker.enqueue_due()
    assert rollup_path not in worker.enqueue_due()  # still waiting: not queued twice
    DBTaskResult.objects.filter(task_path=rollup_path).update(
        status=TaskResultStatus.SUCCESSFUL, enqueued_at=timezone.now() - timedelta(minutes=1)
    )
    assert rollup_path not in worker.enqueue_due()  # ran a minute ago
    DBTaskResult.objects.filter(task_path=rollup_path).update(
        enqueued_at=timezone.now() - timedelta(minutes=6)
    )
    assert rollup_path in worker.enqueue_due(now=timezone.now())
