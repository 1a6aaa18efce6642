"""A PDF attached to a presentation is split into slides (one per page) in the background."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction


def document_saved(sender, instance, created, **kwargs) -> None:
    from samskab.presentations.models import Presentation
    from samskab.presentations.tasks import render_deck

    if not created:
        return
    if instance.content_type_id != ContentType.objects.get_for_model(Presentation).pk:
        return
    document_id = instance.pk
    transaction.on_commit(lambda: render_deck.enqueue(document_id=document_id))
