"""Background work for meetings, run by the worker (`samskab worker`)."""

from __future__ import annotations

from django_tasks import task

from samskab.webcasts.models import Meeting


@task()
def make_timeline_strip(meeting_id: int) -> int:
    """The timeline editor's small pictures along the recording (thumbnails.strip_make)."""
    from samskab.webcasts.thumbnails import strip_make

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return strip_make(meeting=meeting) if meeting is not None else 0


@task()
def fetch_agendas() -> int:
    """Every 15 minutes (core.worker.schedule): coming meetings' agendas from their address."""
    from samskab.webcasts.agenda_fetch import agendas_fetch_due

    return agendas_fetch_due()
