"""Comments in the API: read a place's published comments; signed-in citizens write."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from samskab.api.auth import session_auth
from samskab.comments import selectors, services
from samskab.comments.models import Comment
from samskab.core import targets
from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id, Line, Text
from samskab.core.ratelimit import hit

router = Router(tags=["comments"])


class CommentOut(Schema):
    id: int
    parent: int | None
    author: str
    body_html: str
    created_at: datetime
    edited: bool
    agree: int
    disagree: int


class CommentIn(Schema):
    body: Text
    parent: Id | None = None


def _out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        parent=comment.parent_id,
        author=comment.display_name,
        body_html=comment.body_html,
        created_at=comment.created_at,
        edited=comment.edited_at is not None,
        agree=comment.agree_count,
        disagree=comment.disagree_count,
    )


@router.get(
    "/{label}/{pk}",
    response={200: list[CommentOut], **READ_PROBLEMS},
    summary="Published comments of a place, oldest first",
)
def list_comments(request, label: Line, pk: Id):
    target = targets.resolve(label, pk, capability="comment", user=request.user)
    rows = (
        selectors.place_comments(target)
        .filter(status=Comment.Status.PUBLISHED)
        .select_related("author")
        .order_by("created_at", "pk")[:1000]
    )
    return [_out(c) for c in rows]


@router.post(
    "/{label}/{pk}",
    response={201: CommentOut, 202: CommentOut, **PROBLEMS},
    auth=session_auth,
    summary="Post a comment as the signed-in citizen (same rules as the web form)",
)
def post_comment(request, label: Line, pk: Id, payload: CommentIn):
    target = targets.resolve(label, pk, capability="comment", user=request.user)
    if not targets.allows(request.user, target, "comment"):
        raise HttpError(403, "You may not comment here.")
    if not hit(request, "comment", "10/m"):
        raise HttpError(429, "Too many comments in a short while. Try again later.")
    parent = get_object_or_404(Comment, pk=payload.parent) if payload.parent else None
    try:
        comment = services.comment_post(
            target=target,
            body=payload.body,
            author=request.user,
            parent=parent,
            language=get_language() or "",
        )
    except services.CommentError as error:
        raise HttpError(400, error.message) from None
    # 202: accepted but held for a moderator.
    return Status(201 if comment.is_visible else 202, _out(comment))
