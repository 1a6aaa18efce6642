"""What the generic participation apps may hang their rows on: the registry of targets.

Each feature app registers its models from its AppConfig.ready:

    targets.register(
        Project,
        visible=lambda qs: qs.filter(heading__group__budget__is_published=True),
        staff="budgets.manage_projects",
        process=lambda project: project.heading.group.budget,
        capabilities={"comment", "follow", "report", "attach", "locate"},
        attach=AttachLimits(images=10, image_bytes=8 * 1024 * 1024),
    )

and writes one django-rules permission per capability, named `<app>.<capability>_<model>`
(`budgets.comment_project`). The generic apps (comments, follows, moderation...) never name
a feature model: they `resolve` an address "app_label.model" and a primary key to a target
the visitor may see (404 otherwise, so a hidden object's existence is not given away), and
ask the target's own permission with `allows` or `require`.

A target may also say where it is (`where`: a label and an address for staff, e.g. "Budget
2027 · Project: Benches", asked with the moment something was written there), what it is
written on (`within`: a comment's meeting or project, which must be visible too), how the
moderators hold, approve, hide and restore it (`moderation=Moderated(...)`, hooks of the
owning app), and how many supports a person may give (`support_limit`, asked by supports).

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

from samskab.core.uploads import AttachLimits

CAPABILITIES = frozenset({"comment", "follow", "report", "attach", "support", "locate"})


@dataclass(frozen=True)
class Where:
    """Where a target is, for staff: a label in the visitor's language and a link ("" if
    it has no page of its own)."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class Post:
    """What the moderators see of one moderated target, as its app describes it."""

    text_html: str  # already rendered and sanitised by the owning app
    text: str  # plain, for the log's excerpt and the author's e-mail
    display_name: str
    created_at: Any
    state: str  # one of Moderated.STATES
    reason: str = ""  # why it is held
    spam_score: float = 0.0
    author: Any = None  # the account, or None
    viewer_key: str = ""  # the hashed viewer token of an author without an account
    language: str = ""  # the language it was written in
    image_url: str = ""
    image_alt: str = ""


@dataclass(frozen=True)
class Moderated:
    """How the moderation app acts on one kind of target: hooks of the app that owns it.

    Each hook is called inside moderation's transaction with the row locked, changes the
    target's own state and publishes the target's own live events on commit; moderation
    writes the log, resolves the reports and tells the author. `held` is the queryset of
    what waits for a moderator; `published` (optional) what a moderator may take down.
    """

    HELD, PUBLISHED, HIDDEN, REJECTED, GONE = "held", "published", "hidden", "rejected", "gone"
    STATES = (HELD, PUBLISHED, HIDDEN, REJECTED, GONE)

    describe: Callable[[Any], Post]
    held: Callable[[], models.QuerySet]
    hold: Callable[[Any, str], None]  # take off the site, into the queue, with the reason
    approve: Callable[[Any], None]  # show it (held or reported)
    hide: Callable[[Any, str, bool], None]  # (target, reason, spam): a held one is rejected
    restore: Callable[[Any], None]  # show a hidden one again
    edit: Callable[[Any, str], None] | None = None  # a moderator corrects the text
    published: Callable[[str], models.QuerySet] | None = None  # search -> shown, newest first
    report_count: Callable[[Any, int], None] | None = None  # a counter of its own, if any


@dataclass(frozen=True)
class Target:
    label: str  # "app_label.model", lower case
    model: type[models.Model]
    visible: Callable[[models.QuerySet], models.QuerySet]
    staff: str | None
    process: Callable[[Any], Any] | None
    capabilities: frozenset[str]
    author: Callable[[Any], tuple[Any, str]] | None = None
    # How many pictures and documents one object may carry (capability "attach").
    attach: AttachLimits = field(default_factory=AttachLimits)
    where: Callable[[Any, Any], Where] | None = None
    within: Callable[[Any], Any] | None = None
    moderation: Moderated | None = None
    # (user, target) -> a refusal for the person, or "" (capability "support").
    support_limit: Callable[[Any, Any], str] | None = None

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
    attach: AttachLimits | None = None,
    where: Callable[[Any, Any], Where] | None = None,
    within: Callable[[Any], Any] | None = None,
    moderation: Moderated | None = None,
    support_limit: Callable[[Any, Any], str] | None = None,
) -> Target:
    """Make `model` a target. `visible` filters a queryset to what the public may see;
    `staff` names a permission (asked with the object) that lets staff see the rest;
    `process` returns the participation process an object belongs to (or None); `author`
    returns who wrote it and in which language, (user or None, language), for those who
    tell authors what happened to their work; `attach` the limits of its pictures and
    documents (core.uploads.AttachLimits' defaults otherwise); `where(obj, at)` where it is
    for staff (its label and page otherwise); `within` what it is written on; `moderation`
    the hooks moderation acts through; `support_limit(user, obj)` a refusal or "" ."""
    capabilities = frozenset(capabilities)
    unknown = capabilities - CAPABILITIES
    if unknown:
        raise ValueError(f"unknown capabilities: {sorted(unknown)}")
    label = model._meta.label_lower
    target = Target(
        label,
        model,
        visible,
        staff,
        process,
        capabilities,
        author,
        attach or AttachLimits(),
        where,
        within,
        moderation,
        support_limit,
    )
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


def where_of(obj, *, at=None) -> Where:
    """Where a target is, for the staff who read about it (the moderation queue): what it
    registered, else its name and its page."""
    target = target_of(obj)
    if target is not None and target.where is not None:
        return target.where(obj, at)
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    return Where(str(obj), url)


def moderated() -> list[Target]:
    """The targets the moderators act on (those that registered `moderation`)."""
    return [t for t in _registry.targets.values() if t.moderation is not None]


def key_of(obj) -> str:
    """ "app_label.model:pk", one string naming any target (forms, live events)."""
    return f"{label_of(obj)}:{obj.pk}"


def from_key(key: str, *, capability: str | None = None):
    """The object a `key_of` string names (no visibility check: for staff), or None."""
    label, _sep, raw_pk = str(key).rpartition(":")
    target = _registry.targets.get(label.lower())
    if target is None or not raw_pk.isdigit():
        return None
    if capability is not None and capability not in target.capabilities:
        return None
    return target.model._default_manager.filter(pk=int(raw_pk)).first()


def supports(obj, capability: str) -> bool:
    target = target_of(obj)
    return target is not None and capability in target.capabilities


def is_visible(obj, user=None) -> bool:
    """May this person see the object (the public's filter, or the staff permission)?"""
    target = target_of(obj)
    if target is None:
        return False
    if not _within_visible(target, obj, user):
        return False
    if target.visible(target.model._default_manager.filter(pk=obj.pk)).exists():
        return True
    return bool(user is not None and target.staff is not None and user.has_perm(target.staff, obj))


def _within_visible(target: Target, obj, user) -> bool:
    """What an object is written on (a comment's project) must be visible too."""
    if target.within is None:
        return True
    outer = target.within(obj)
    return outer is not None and is_visible(outer, user)


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
    if found is None and user is not None and target.staff is not None:
        found = manager.filter(pk=pk).first()
        if found is not None and not user.has_perm(target.staff, found):
            found = None
    if found is None or not _within_visible(target, found, user):
        raise Http404
    return found


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
