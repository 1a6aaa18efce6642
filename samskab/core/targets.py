"""What the generic participation apps may hang their rows on: the registry of targets.

Each feature app registers its models from its AppConfig.ready:

    targets.register(
        Project,
        visible=lambda qs: qs.filter(heading__group__budget__is_published=True),
        staff="budgets.manage_projects",
        process=lambda project: project.heading.group.budget,
        capabilities={"comment", "follow", "report"},
    )

and writes one django-rules permission per capability, named `<app>.<capability>_<model>`
(`budgets.comment_project`). The generic apps (comments, follows, moderation...) never name
a feature model: they `resolve` an address "app_label.model" and a primary key to a target
the visitor may see (404 otherwise, so a hidden object's existence is not given away), and
ask the target's own permission with `allows` or `require`.

Generic apps register their tables with `register_table`; every row of those tables that
points at a target is deleted with it (a post_delete receiver per registered model, so a
cascade from a budget to its projects cleans up too).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.signals import post_delete
from django.http import Http404

CAPABILITIES = frozenset({"comment", "follow", "report", "attach", "support", "locate"})


@dataclass(frozen=True)
class Target:
    label: str  # "app_label.model", lower case
    model: type[models.Model]
    visible: Callable[[models.QuerySet], models.QuerySet]
    staff: str | None
    process: Callable[[Any], Any] | None
    capabilities: frozenset[str]
    author: Callable[[Any], tuple[Any, str]] | None = None

    def permission(self, capability: str) -> str:
        app_label, model_name = self.label.split(".")
        return f"{app_label}.{capability}_{model_name}"


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    ct_field: str = "content_type"
    id_field: str = "object_id"


@dataclass
class _Registry:
    targets: dict[str, Target] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


_registry = _Registry()


def _everything(queryset: models.QuerySet) -> models.QuerySet:
    return queryset


def register(
    model: type[models.Model],
    *,
    capabilities: Iterable[str],
    visible: Callable[[models.QuerySet], models.QuerySet] = _everything,
    staff: str | None = None,
    process: Callable[[Any], Any] | None = None,
    author: Callable[[Any], tuple[Any, str]] | None = None,
) -> Target:
    """Make `model` a target. `visible` filters a queryset to what the public may see;
    `staff` names a permission (asked with the object) that lets staff see the rest;
    `process` returns the participation process an object belongs to (or None); `author`
    returns who wrote it and in which language, (user or None, language), for those who
    tell authors what happened to their work."""
    capabilities = frozenset(capabilities)
    unknown = capabilities - CAPABILITIES
    if unknown:
        raise ValueError(f"unknown capabilities: {sorted(unknown)}")
    label = model._meta.label_lower
    target = Target(label, model, visible, staff, process, capabilities, author)
    _registry.targets[label] = target
    post_delete.connect(_delete_rows, sender=model, dispatch_uid=f"core.targets:{label}")
    return target


def register_table(
    model: type[models.Model], *, ct_field: str = "content_type", id_field: str = "object_id"
) -> None:
    """A generic app's table whose rows point at targets and go with them."""
    table = Table(model, ct_field, id_field)
    if table not in _registry.tables:
        _registry.tables.append(table)


def tables() -> list[Table]:
    return list(_registry.tables)


def registered() -> list[Target]:
    return list(_registry.targets.values())


def get(label: str) -> Target | None:
    return _registry.targets.get(label.lower())


def label_of(obj) -> str:
    return obj._meta.label_lower


def target_of(obj) -> Target | None:
    return _registry.targets.get(label_of(obj))


def process_of(obj):
    """The participation process around a target (a project's budget), or None."""
    target = target_of(obj)
    if target is None or target.process is None:
        return None
    return target.process(obj)


def author_of(obj) -> tuple[Any, str]:
    """(author or None, the language they wrote in, "" if unknown)."""
    target = target_of(obj)
    if target is None or target.author is None:
        return None, ""
    return target.author(obj)


def supports(obj, capability: str) -> bool:
    target = target_of(obj)
    return target is not None and capability in target.capabilities


def is_visible(obj, user=None) -> bool:
    """May this person see the object (the public's filter, or the staff permission)?"""
    target = target_of(obj)
    if target is None:
        return False
    if target.visible(target.model._default_manager.filter(pk=obj.pk)).exists():
        return True
    return bool(user is not None and target.staff is not None and user.has_perm(target.staff, obj))


def visible(label_or_model, queryset: models.QuerySet | None = None) -> models.QuerySet:
    """The public's part of a registered model's rows (for lists and counts)."""
    label = label_or_model if isinstance(label_or_model, str) else label_or_model._meta.label_lower
    target = _registry.targets[label.lower()]
    return target.visible(queryset if queryset is not None else target.model._default_manager.all())


def resolve(label: str, pk: int, *, capability: str, user=None):
    """The object behind an address, if it is a target with this capability and the person
    may see it; else Http404, whether it exists or not."""
    target = _registry.targets.get(str(label).lower())
    if target is None or capability not in target.capabilities:
        raise Http404
    manager = target.model._default_manager
    found = target.visible(manager.filter(pk=pk)).first()
    if found is not None:
        return found
    if user is not None and target.staff is not None:
        found = manager.filter(pk=pk).first()
        if found is not None and user.has_perm(target.staff, found):
            return found
    raise Http404


def allows(user, obj, capability: str) -> bool:
    """Ask the target's own permission `<app>.<capability>_<model>`. A target app that
    writes no rule for a capability it registered lets anyone who may see the target."""
    target = target_of(obj)
    if target is None or capability not in target.capabilities:
        return False
    name = target.permission(capability)
    if not rules.perm_exists(name):
        return True
    return bool(user.has_perm(name, obj))


def require(user, obj, capability: str) -> None:
    if not allows(user, obj, capability):
        raise PermissionDenied


def resolve_allowed(label: str, pk: int, *, capability: str, user):
    """`resolve` and then `require`: the target, or 404 (unseen) or 403 (not allowed)."""
    obj = resolve(label, pk, capability=capability, user=user)
    require(user, obj, capability)
    return obj


def _delete_rows(sender, instance, **kwargs) -> None:
    content_type = ContentType.objects.get_for_model(sender)
    for table in _registry.tables:
        table.model._default_manager.filter(
            **{f"{table.ct_field}": content_type, f"{table.id_field}": instance.pk}
        ).delete()
