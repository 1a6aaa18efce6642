"""A person's notifications, as the centre shows them."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from samskab.activity import kinds
from samskab.notifications.models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("event__content_type")


@dataclass(frozen=True)
class Item:
    pk: int
    title: str
    url: str
    headline: str
    note: str
    created_at: datetime
    is_read: bool


def describe(rows) -> list[Item]:
    """What each notification says, in the visitor's language; a deleted target's are left
    out (their rows go with it)."""
    items = []
    for row in rows:
        event = row.event
        ct = event.content_type
        kind = kinds.get(f"{ct.app_label}.{ct.model}", event.kind)
        target = event.target
        if kind is None or target is None:
            continue
        items.append(
            Item(
                pk=row.pk,
                title=str(target),
                url=kinds.path_of(kind, event, target),
                headline=str(kind.headline(event) if kind.headline else kind.subject(event)),
                note=event.note,
                created_at=event.created_at,
                is_read=row.read_at is not None,
            )
        )
    return items
