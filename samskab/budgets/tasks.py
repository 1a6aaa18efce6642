"""Background work for citizens' budgets, run by the worker (`samskab worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def tally_run_task(tally_id: int) -> str | None:
    """Count a budget's vote (tallying.tally_run); staff check the outcome before publishing."""
    from samskab.budgets.tallying import tally_run

    tally = tally_run(tally_id=tally_id)
    return tally.state if tally is not None else None
