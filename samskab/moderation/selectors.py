"""Reads for moderation: the mode of a place, bans, trust, the queue."""

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from samskab.core import targets
from samskab.core.targets import Moderated, Post, Where
from samskab.moderation.models import (
    Ban,
    Mode,
    ModerationPolicy,
    ModerationSettings,
    Report,
    RestrictedWord,
    TrustedAuthor,
)
from samskab.moderation.words import Rule


@dataclass(frozen=True)
class PlaceRules:
    mode: str
    allow_anonymous: bool


def place_rules(target) -> PlaceRules:
    """The place's own policy, else its process's (a budget's for its projects), else the
    site default."""
    places = [target]
    process = targets.process_of(target)
    if process is not None:
        places.append(process)
    keys = [(ContentType.objects.get_for_model(place).pk, place.pk) for place in places]
    found = Q()
    for content_type_id, object_id in keys:
        found |= Q(content_type_id=content_type_id, object_id=object_id)
    policies = {
        (policy.content_type_id, policy.object_id): policy
        for policy in ModerationPolicy.objects.filter(found)
    }
    for key in keys:
        if key in policies:
            return PlaceRules(policies[key].mode, policies[key].allow_anonymous)
    return PlaceRules(ModerationSettings.current().default_mode, False)


def place_is_closed(target) -> bool:
    return place_rules(target).mode == Mode.CLOSED


def active_ban(*, user=None, viewer_key: str = "") -> Ban | None:
    who = Q()
    if user is not None and user.is_authenticated:
        who |= Q(user=user)
    if viewer_key:
        who |= Q(viewer_key=viewer_key)
    if not who:
        return None
    now = timezone.now()
    return (
        Ban.objects.filter(who, lifted_at=None)
        .filter(Q(until=None) | Q(until__gt=now))
        .order_by("-created_at")
        .first()
    )


def is_trusted(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    from samskab.accounts.roles import is_administrator, is_moderator

    if is_moderator(user) or is_administrator(user):
        return True
    return TrustedAuthor.objects.filter(user=user).exists()


def word_rules(language: str) -> list[Rule]:
    # Lists per language; a post is checked against its own language's and the site's
    # default language's list (Danish posts quote English insults too, and vice versa).
    from django.conf import settings

    languages = {language or settings.LANGUAGE_CODE, settings.LANGUAGE_CODE}
    return [
        Rule(pattern, action)
        for pattern, action in RestrictedWord.objects.filter(language__in=languages).values_list(
            "pattern", "action"
        )
    ]


@dataclass
class Item:
    """One thing in front of the moderators: a target, what its app says of it, where it
    was written and its open reports."""

    target: Any
    key: str  # "app_label.model:pk" (core.targets.key_of)
    post: Post | None  # None: a target that registered no moderation (reports only)
    where: Where
    open_reports: int = 0
    account_reports: int = 0
    anonymous_reports: int = 0

    @property
    def label(self) -> str:
        return self.key.rpartition(":")[0]

    @property
    def pk(self) -> int:
        return int(self.key.rpartition(":")[2])

    @property
    def dom_id(self) -> str:
        return self.key.replace(".", "-").replace(":", "-")

    @property
    def created_at(self):
        return self.post.created_at if self.post is not None else None

    @property
    def is_published(self) -> bool:
        return self.post is None or self.post.state == Moderated.PUBLISHED

    @property
    def may_edit(self) -> bool:
        registered = targets.target_of(self.target)
        return bool(registered and registered.moderation and registered.moderation.edit)


def _item(obj, counts: tuple[int, int] = (0, 0)) -> Item:
    registered = targets.target_of(obj)
    hooks = registered.moderation if registered is not None else None
    post = hooks.describe(obj) if hooks is not None else None
    where = targets.where_of(obj, at=post.created_at if post is not None else None)
    total, by_accounts = counts
    return Item(obj, targets.key_of(obj), post, where, total, by_accounts, total - by_accounts)


def _objects(content_type_id: int, ids) -> list:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None or targets.target_of(model) is None:
        return []
    return list(model._default_manager.filter(pk__in=list(ids)))


def queue(*, limit: int = 200) -> list[Item]:
    """Posts held for a moderator, of every moderated kind, and targets with open reports
    (reports without an account never hide a post, so it waits here, still shown, for a
    moderator's look); each with its open reports counted: all, and those from accounts.
    Oldest first."""
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    by_account = Q(reporter_key__startswith=Report.ACCOUNT_PREFIX)
    for row in (
        Report.objects.open()
        .values("content_type_id", "object_id")
        .annotate(total=Count("pk"), accounts=Count("pk", filter=by_account))
        .order_by()[: limit * 5]
    ):
        counts[(row["content_type_id"], row["object_id"])] = (row["total"], row["accounts"])
    found: dict[tuple[int, int], Any] = {}
    for registered in targets.moderated():
        assert registered.moderation is not None  # noqa: S101  # moderated() says so
        content_type_id = ContentType.objects.get_for_model(registered.model).pk
        for obj in registered.moderation.held()[:limit]:
            found[(content_type_id, obj.pk)] = obj
    wanted: dict[int, set[int]] = {}
    for content_type_id, object_id in counts:
        if (content_type_id, object_id) not in found:
            wanted.setdefault(content_type_id, set()).add(object_id)
    for content_type_id, ids in wanted.items():
        for obj in _objects(content_type_id, ids):
            found[(content_type_id, obj.pk)] = obj
    items = [_item(obj, counts.get(key, (0, 0))) for key, obj in found.items()]
    # A reported target that is no longer shown (deleted by its author) waits for nobody.
    # Held posts, and shown ones with reports; not what its author deleted meanwhile.
    items = [
        i
        for i in items
        if i.post is None
        or i.post.state == Moderated.HELD
        or (i.post.state == Moderated.PUBLISHED and i.open_reports)
    ]
    items.sort(key=lambda i: (i.created_at is None, i.created_at or 0, i.key))
    return items[:limit]


def published_posts(*, search: str = "", limit: int = 1000) -> list[Item]:
    """Published posts of every moderated kind, newest first, to take one down."""
    items: list[Item] = []
    for registered in targets.moderated():
        assert registered.moderation is not None  # noqa: S101  # moderated() says so
        if registered.moderation.published is None:
            continue
        items.extend(_item(obj) for obj in registered.moderation.published(search)[:limit])
    items.sort(key=lambda i: (i.created_at, i.key), reverse=True)
    return items[:limit]


def bans_in_force() -> QuerySet:
    """Bans not lifted and not run out, newest first, with the post each was given for."""
    from django.db.models import OuterRef, Subquery

    from samskab.moderation.models import ModerationLogEntry

    banned_for = ModerationLogEntry.objects.filter(
        ban=OuterRef("pk"), action=ModerationLogEntry.Action.BANNED
    ).order_by("pk")
    return (
        Ban.objects.filter(lifted_at=None)
        .filter(Q(until=None) | Q(until__gt=timezone.now()))
        .select_related("user", "created_by")
        .annotate(post_excerpt=Subquery(banned_for.values("excerpt")[:1]))
        .order_by("-created_at", "-pk")
    )


def item_of(target) -> Item:
    """One target as the moderators see it, with its open reports counted."""
    open_reports = Report.objects.open().filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    )
    total = open_reports.count()
    return _item(target, (total, open_reports.by_accounts().count() if total else 0))


def mode_of(place) -> str:
    """The place's own mode ("" when it follows its process's or the site's)."""
    policy = ModerationPolicy.objects.filter(
        content_type=ContentType.objects.get_for_model(place), object_id=place.pk
    ).first()
    return policy.mode if policy is not None else ""


def may_set_mode(user, place) -> bool:
    """Moderators may choose any place's mode; others where the place's own rule
    `<app>.moderate_<model>` lets them (a meeting's operators, a budget's editors)."""
    import rules

    if user is None or not user.is_authenticated:
        return False
    if user.has_perm("moderation.moderate"):
        return True
    registered = targets.target_of(place)
    if registered is None:
        return False
    name = registered.permission("moderate")
    return rules.perm_exists(name) and bool(user.has_perm(name, place))
