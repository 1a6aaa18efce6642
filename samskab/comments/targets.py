"""Which kinds of object can have comments, named in addresses as "app_label.model".

Apps add theirs with `register("debates.debate")` in their AppConfig.ready; an address
naming anything else is a 404, so comments cannot be hung on users or settings.
"""

from collections.abc import Callable

from django.apps import apps
from django.http import Http404

_commentable: set[str] = {"webcasts.meeting"}

# The process a place belongs to (a budget project's budget), whose moderation mode the
# place follows unless it has its own. Apps may name theirs: register(label, process=...).
_processes: dict[str, Callable] = {
    "budgets.project": lambda project: project.heading.group.budget,
}


def register(label: str, *, process: Callable | None = None) -> None:
    _commentable.add(label.lower())
    if process is not None:
        _processes[label.lower()] = process


def process_of(target):
    """The participation process around a place, or None (a meeting is its own)."""
    find = _processes.get(label_of(target))
    return find(target) if find is not None else None


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
