"""Reads for moderation: the mode of a place, bans, trust, the queue."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from samskab.moderation.models import (
    Ban,
    Mode,
    ModerationPolicy,
    ModerationSettings,
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
    from samskab.core.targets import process_of

    places = [target]
    process = process_of(target)
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


def queue() -> QuerySet:
    from samskab.comments.models import Comment

    return (
        Comment.objects.filter(status=Comment.Status.PENDING)
        .select_related("author", "content_type")
        .order_by("created_at", "pk")
    )


def published_posts(*, search: str = "") -> QuerySet:
    """Published posts, newest first, for moderators to take one down."""
    from samskab.comments.models import Comment

    posts = Comment.objects.filter(status=Comment.Status.PUBLISHED)
    if search:
        posts = posts.filter(
            Q(body__icontains=search)
            | Q(author_name__icontains=search)
            | Q(author__display_name__icontains=search)
        )
    return posts.select_related("author", "content_type").order_by("-created_at", "-pk")


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
