"""Background work for hearings, run by the worker (`samskab worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def export_task(export_id: int) -> str | None:
    """Build the case-file PDF (services.export_build); staff download it when done."""
    from samskab.hearings.services import export_build

    export = export_build(export_id=export_id)
    return export.state if export is not None else None


@task()
def announce_task() -> int:
    """Tell followers of the phases that opened (services.phases_announce). Scheduled by the
    worker every few minutes (apps.py); safe to run twice at once, as each phase is marked
    announced by one conditional update before its event is written."""
    from samskab.hearings.services import phases_announce

    return phases_announce()
