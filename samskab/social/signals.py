"""What the social app hears from the webcasts app without it knowing: a meeting going live
or ending queues a tick at once, and the meeting page links to its live broadcasts."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from samskab.core.backlinks import Backlink
from samskab.webcasts.models import Meeting

logger = logging.getLogger("samskab.social")


def _status_seen(sender, instance: Meeting, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "status" not in update_fields:
        return
    if instance.status not in (Meeting.Status.LIVE, Meeting.Status.ENDED):
        return
    from samskab.social.models import Account

    if not Account.objects.filter(status=Account.Status.CONNECTED).exists():
        return

    def queue() -> None:
        from samskab.core.worker import tasks_wait_for_worker
        from samskab.social.tasks import tick_task

        # In-process backends (tests, the quick start without a worker) leave the tick to
        # the schedule: the meeting's own request should not wait for the networks.
        if tasks_wait_for_worker():
            tick_task.enqueue()

    transaction.on_commit(queue)


def connect() -> None:
    post_save.connect(_status_seen, sender=Meeting, dispatch_uid="social-meeting-status")


def watch_elsewhere(meeting) -> list[Backlink]:
    from samskab.social.selectors import public_broadcasts

    return [
        Backlink(
            heading=_("Also live on"),
            label=broadcast.account.get_network_display(),
            url=broadcast.public_url,
        )
        for broadcast in public_broadcasts(meeting)
    ]
