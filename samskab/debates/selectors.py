"""Reads of debates: the public list in each order, filters and search, one's vote."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from samskab.debates.models import Area, Debate, DebateVote, Tag

MAX_QUERY = 200
MAX_WORDS = 8
ACTIVE_DAYS = 7


class Order:
    HOT = "hot"
    NEW = "new"
    ACTIVE = "active"
    COMMENTED = "commented"
    ALL = (HOT, NEW, ACTIVE, COMMENTED)


def debates_public() -> QuerySet[Debate]:
    return Debate.objects.filter(hidden_at__isnull=True)


def debates_seen_by(user) -> QuerySet[Debate]:
    """Staff see hidden debates too, authors their own."""
    if user.has_perm("debates.moderate_debate"):
        return Debate.objects.all()
    if user.is_authenticated:
        return Debate.objects.filter(Q(hidden_at__isnull=True) | Q(author=user))
    return debates_public()


def _recent_comments(since) -> Subquery:
    from django.contrib.contenttypes.models import ContentType

    from samskab.comments.models import Comment

    rows = (
        Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(Debate),
            object_id=OuterRef("pk"),
            status=Comment.Status.PUBLISHED,
            created_at__gte=since,
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows)


def _recent_votes(since) -> Subquery:
    rows = (
        DebateVote.objects.filter(debate=OuterRef("pk"), updated_at__gte=since)
        .order_by()
        .values("debate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows)


def ordered(debates: QuerySet[Debate], order: str, *, now=None) -> QuerySet[Debate]:
    """hot: the stored hot score; new: newest first; active: votes and comments of the
    last seven days; commented: most comments. Ties go to the newer debate."""
    if order == Order.NEW:
        return debates.order_by("-created_at", "-pk")
    if order == Order.COMMENTED:
        return debates.order_by("-comment_count", "-created_at", "-pk")
    if order == Order.ACTIVE:
        since = (now or timezone.now()) - timedelta(days=ACTIVE_DAYS)
        return debates.annotate(
            recent=Coalesce(_recent_votes(since), Value(0))
            + Coalesce(_recent_comments(since), Value(0))
        ).order_by("-recent", "-hot_score", "-pk")
    return debates.order_by("-hot_score", "-pk")


def search_vector() -> SearchVector:
    return SearchVector("title", "text", config="danish")


def search(debates: QuerySet[Debate], q: str) -> QuerySet[Debate]:
    """Title, text and tags: PostgreSQL's Danish full text ("skolerne" finds "skole"),
    else every word somewhere, case-insensitive (SQLite)."""
    q = " ".join(q.split())[:MAX_QUERY]
    if not q:
        return debates
    if connection.vendor == "postgresql":
        # The same expression as the GIN index of migration 0002, so the index answers it.
        matching = Debate.objects.annotate(search_vector=search_vector()).filter(
            search_vector=SearchQuery(q, config="danish", search_type="websearch")
        )
        tagged = Debate.objects.filter(tags__name__in=q.lower().split())
        return debates.filter(Q(pk__in=matching.values("pk")) | Q(pk__in=tagged.values("pk")))
    condition = Q()
    for word in q.split()[:MAX_WORDS]:
        word = word.strip('"')
        condition &= (
            Q(title__icontains=word)
            | Q(text__icontains=word)
            | Q(pk__in=Debate.objects.filter(tags__name__icontains=word).values("pk"))
        )
    return debates.filter(condition)


def debate_list(
    *, order: str = Order.HOT, tag: str = "", area: Area | None = None, q: str = ""
) -> QuerySet[Debate]:
    debates = debates_public()
    if tag:
        debates = debates.filter(tags__name=tag)
    if area is not None:
        debates = debates.filter(area=area)
    debates = search(debates, q)
    return (
        ordered(debates, order if order in Order.ALL else Order.HOT)
        .select_related("author", "area")
        .prefetch_related("tags")
    )


def featured() -> list[Debate]:
    return list(
        debates_public()
        .filter(featured_at__isnull=False)
        .select_related("author", "area")
        .order_by("-featured_at")[:3]
    )


def vote_of(debate: Debate, user) -> int | None:
    if not user.is_authenticated:
        return None
    return (
        DebateVote.objects.filter(debate=debate, user=user).values_list("value", flat=True).first()
    )


def tags_in_use(limit: int = 30) -> list[Tag]:
    return list(
        Tag.objects.filter(debates__hidden_at__isnull=True)
        .annotate(n=Count("debates"))
        .order_by("-n", "name")[:limit]
    )
