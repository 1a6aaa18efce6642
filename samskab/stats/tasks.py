"""The statistics' background work, scheduled by the worker (core.worker.schedule)."""

from __future__ import annotations

import logging

from django_tasks import task

from samskab.core.locks import LockHeld

logger = logging.getLogger(__name__)


@task()
def rollup_task() -> dict | None:
    """Roll raw events up into minute and day totals; delete those past the retention."""
    from samskab.stats.rollup import rollup

    try:
        return rollup()
    except LockHeld as held:
        logger.info("Statistics roll-up not run: %s", held)
        return None


@task()
def monthly_report_task() -> int:
    """On the first days of a month: the previous month's report to the chosen staff."""
    from samskab.stats.report import report_due_send

    return report_due_send()
