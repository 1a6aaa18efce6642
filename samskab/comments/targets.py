"""Which kinds of object can have comments, named in addresses as "app_label.model".

Apps add theirs with `register("debates.debate")` in their AppConfig.ready; an address
naming anything else is a 404, so comments cannot be hung on users or settings.
"""

from django.apps import apps
from django.http import Http404

_commentable: set[str] = {"webcasts.meeting"}


def register(label: str) -> None:
    _commentable.add(label.lower())


def label_of(target) -> str:
    return target._meta.label_lower


def resolve(label: str, pk: int):
    label = label.lower()
    if label not in _commentable:
        raise Http404
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    manager = model._default_manager
    if label == "webcasts.meeting":
        manager = manager.filter(is_published=True)
    try:
        return manager.get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
