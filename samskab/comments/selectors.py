"""Reads: a whole thread in a fixed number of queries, and a viewer's own votes."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from samskab.comments.embeds import VideoLink, video_links
from samskab.comments.models import Comment, CommentVote


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    SUPPORTED = "supported"
    CHOICES = (NEWEST, OLDEST, SUPPORTED)


@dataclass
class Node:
    comment: Comment
    replies: list["Node"] = field(default_factory=list)
    my_vote: int | None = None
    videos: list[VideoLink] = field(default_factory=list)
    # A removed or held comment still shows as a stub when it has visible replies.
    is_stub: bool = False
    is_own_pending: bool = False
    # One's own comment shows its votes but cannot be voted on.
    is_own: bool = False


def _sort_key(sort: str):
    if sort == Sort.OLDEST:
        return lambda n: (n.comment.created_at, n.comment.pk)
    if sort == Sort.SUPPORTED:
        return lambda n: (-n.comment.support, -n.comment.agree_count, -n.comment.pk)
    return lambda n: (-n.comment.created_at.timestamp(), -n.comment.pk)


def is_own(comment: Comment, *, user=None, viewer_key: str = "") -> bool:
    """Whether this visitor wrote the comment: by account, or by browser when written without."""
    if user is not None and user.is_authenticated:
        return comment.author_id == user.pk
    return bool(viewer_key) and not comment.author_id and comment.viewer_key == viewer_key


def place_comments(target):
    content_type = ContentType.objects.get_for_model(target)
    return Comment.objects.filter(content_type=content_type, object_id=target.pk)


def thread(
    target, *, sort: str = Sort.NEWEST, user=None, viewer_key: str = "", replies_sort: str = ""
) -> list[Node]:
    """Top-level comments, each with its replies (oldest first under a comment).

    Three queries whatever the size: comments with authors, the viewer's votes, and
    the content type (cached after the first). The tree is built in Python.
    """
    has_account = user is not None and user.is_authenticated
    mine = Q(author=user) if has_account else Q(viewer_key=viewer_key) if viewer_key else Q()
    visible = Q(status__in=[Comment.Status.PUBLISHED, Comment.Status.REMOVED_BY_AUTHOR])
    if mine:
        visible |= mine & Q(status=Comment.Status.PENDING)
    rows = list(
        place_comments(target)
        .filter(visible | Q(replies__status=Comment.Status.PUBLISHED))
        .distinct()
        .select_related("author")
        .order_by("created_at", "pk")
    )
    voter = f"user:{user.pk}" if has_account else viewer_key
    votes: dict[int, int] = {}
    if voter and rows:
        votes = dict(
            CommentVote.objects.filter(
                voter_key=voter,
                comment__content_type_id=rows[0].content_type_id,
                comment__object_id=target.pk,
            ).values_list("comment_id", "value")
        )
    own_host = urlsplit(settings.SITE_URL).netloc
    nodes: dict[int, Node] = {}
    for comment in rows:
        stub = comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING)
        nodes[comment.pk] = Node(
            comment=comment,
            my_vote=votes.get(comment.pk),
            videos=[] if stub else video_links(comment.body, own_host=own_host),
            is_stub=stub and comment.status != Comment.Status.REMOVED_BY_AUTHOR,
            is_own_pending=comment.status == Comment.Status.PENDING,
            is_own=is_own(comment, user=user, viewer_key=viewer_key),
        )
    roots: list[Node] = []
    for node in nodes.values():
        parent_id = node.comment.parent_id
        if parent_id is None:
            roots.append(node)
        elif parent_id in nodes:
            nodes[parent_id].replies.append(node)
    roots.sort(key=_sort_key(sort))
    if replies_sort:
        for node in nodes.values():
            node.replies.sort(key=_sort_key(replies_sort))
    return roots


def visible_count(target) -> int:
    return place_comments(target).filter(status=Comment.Status.PUBLISHED).count()


def published_after(target, *, after_id: int, limit: int = 50) -> list[Comment]:
    """For the live blog's polling fallback: published posts newer than `after_id`."""
    return list(
        place_comments(target)
        .filter(status=Comment.Status.PUBLISHED, pk__gt=after_id)
        .select_related("author")
        .order_by("pk")[:limit]
    )
