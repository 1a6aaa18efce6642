"""A target's public history."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from samskab.activity.models import Event


def history(target) -> QuerySet[Event]:
    """The target's public history, oldest first."""
    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("actor")
