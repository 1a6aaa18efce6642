"""Recording a step on a target, in the target's public history.

Telling its author and followers is the notifications app's (it listens to
`activity.signals.event_recorded`): in-app notifications and e-mails, from background tasks
after the transaction commits, never in the request.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from samskab.activity import kinds
from samskab.activity.models import Event
from samskab.activity.signals import event_recorded


def event_record(
    *,
    target,
    kind: str,
    note: str = "",
    actor=None,
    notify: bool = True,
    status: str = "",
    recipients: Sequence[tuple[Any, str]] | None = None,
) -> Event:
    """Add `kind` to the target's history (with its `status` after the step, if it has one);
    with `notify`, its author and followers hear about it (the actor never does).

    With `recipients`, (person, language) pairs, only those people hear about it, not the
    author and followers: a step for staff (a valuator asked to assess a project). Which
    kinds a target's public page shows is the target app's choice."""
    if kinds.get(target._meta.label_lower, kind) is None:
        raise ValueError(f"{target._meta.label_lower} registered no activity kind {kind!r}")
    # Inside a caller's transaction (tallying records a step per project in one) without a
    # savepoint of its own: two round trips less per step, which count when a hundred steps
    # are recorded on a busy database (make bench-notify). A failure still undoes the whole
    # transaction; the event and its notifications are never written apart.
    with transaction.atomic(savepoint=False):
        event = Event.objects.create(
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            kind=kind,
            note=note,
            status=status,
            actor=actor if actor is not None and actor.is_authenticated else None,
        )
        if notify:
            event_recorded.send(sender=Event, event=event, target=target, recipients=recipients)
    return event
