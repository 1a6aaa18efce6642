"""The meeting's version: what the player's caches are keyed on.

The meeting page caches the index it shows (agenda, segments, speaker turns, slides,
captions) and the rendered agenda fragment under the meeting's `updated_at`
(`player.index_version`). Whatever changes what the index shows moves `updated_at` on:
a save of the meeting itself (auto_now), and, through the receivers below, every save or
delete of its marks, agenda items, documents, slide decks and captions, and every save of a
person who speaks in it. The services call `index_changed` where they write in bulk
(speaker turns, agenda import, rendered slides), which sends no signals.

The bump is an UPDATE in the writer's transaction: readers see the new version exactly
when they see the new rows, in every process, whatever the cache backend.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from samskab import live
from samskab.webcasts.models import (
    AgendaItem,
    Captions,
    Document,
    Meeting,
    Person,
    SlideDeck,
    TimelineMark,
)


def index_changed(meeting_ids: int | Iterable[int]) -> None:
    """Move the meetings' version on, so their pages stop using what they cached."""
    ids = [meeting_ids] if isinstance(meeting_ids, int) else [pk for pk in meeting_ids if pk]
    if ids:
        Meeting.objects.filter(pk__in=ids).update(updated_at=timezone.now())


class _MeetingId(TypedDict):
    meeting_id: int


def _meeting_of(sender, instance) -> int | QuerySet[AgendaItem, _MeetingId] | None:
    if sender in (TimelineMark, AgendaItem, Captions, Document):
        return instance.meeting_id
    if sender is SlideDeck:
        return AgendaItem.objects.filter(pk=instance.agenda_item_id).values("meeting_id")
    return None


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    meeting = _meeting_of(sender, instance)
    if meeting is None:
        return
    if isinstance(meeting, int):
        index_changed(meeting)
    else:  # a subquery: one UPDATE, whatever was deleted around it
        Meeting.objects.filter(pk__in=meeting).update(updated_at=timezone.now())


def _person_changed(sender, instance: Person, **kwargs) -> None:
    """A renamed person, a new party or role, a withdrawn consent: every meeting they spoke in."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    Meeting.objects.filter(
        pk__in=Meeting.objects.filter(Q(marks__person=instance) | Q(speakers=instance)).values("pk")
    ).update(updated_at=timezone.now())


# Sent (with meeting=...) in the transaction that unpublishes a meeting, so apps whose live
# channels belong to it (polls) can close them too.
meeting_unpublished = Signal()


def _note_unpublishing(sender, instance: Meeting, **kwargs) -> None:
    """Before a save: is this the save that takes a published meeting off the site?"""
    update_fields = kwargs.get("update_fields")
    instance._unpublishing = bool(
        not kwargs.get("raw")
        and instance.pk is not None
        and not instance.is_published
        and (update_fields is None or "is_published" in update_fields)
        and Meeting.objects.filter(pk=instance.pk, is_published=True).exists()
    )


def _meeting_saved(sender, instance: Meeting, **kwargs) -> None:
    """A meeting just unpublished: end its viewers' live streams (review I5). Staff who may
    still follow it reconnect at once; the public's reconnection is refused."""
    if getattr(instance, "_unpublishing", False):
        instance._unpublishing = False
        live.close_channel_on_commit(instance.channel)
        meeting_unpublished.send(sender=Meeting, meeting=instance)


def connect() -> None:
    pre_save.connect(_note_unpublishing, sender=Meeting, dispatch_uid="webcasts-unpublishing")
    post_save.connect(_meeting_saved, sender=Meeting, dispatch_uid="webcasts-unpublished")
    # Slides are written only by slides.slide_deck_render, which calls index_changed once.
    for model in (TimelineMark, AgendaItem, Captions, Document, SlideDeck):
        post_save.connect(_changed, sender=model, dispatch_uid=f"webcasts-version-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"webcasts-version-d-{model}")
    post_save.connect(_person_changed, sender=Person, dispatch_uid="webcasts-version-person")
