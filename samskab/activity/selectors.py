"""Who hears about a step: the target's author and its followers (and its process's), each
address once, each in their own language; deleted and inactive accounts hear nothing."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from samskab.activity.models import Event
from samskab.core import targets
from samskab.follows.selectors import followers_of


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    is_author: bool


def recipients(target) -> list[Recipient]:
    found: list[Recipient] = []
    seen: set[str] = set()
    author, language = targets.author_of(target)
    if author is not None and author.email and author.is_active and not author.deleted_at:
        seen.add(author.email.lower())
        found.append(Recipient(author.email, language or settings.LANGUAGE_CODE, True))
    for follow in followers_of(target):
        address = follow.user.email
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(Recipient(address, follow.language or settings.LANGUAGE_CODE, False))
    return found


def history(target) -> QuerySet[Event]:
    """The target's public history, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("actor")
