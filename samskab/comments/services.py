"""Every write to comments: post, edit, delete, vote. Keyword-only, one transaction each."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.comments import live, selectors
from samskab.comments.models import (
    EDIT_WINDOW,
    IMAGE_MAX_BYTES,
    MAX_DEPTH,
    MAX_LENGTH,
    Comment,
    CommentVote,
)
from samskab.core.markdown import render_markdown
from samskab.core.text import clean_text
from samskab.core.uploads import reencode_image
from samskab.moderation.models import ModerationLogEntry
from samskab.moderation.screening import Refused, screen
from samskab.moderation.services import log_entry, publish_queue


class CommentError(Exception):
    """A write that was refused; `message` is for the visitor, in their language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _clean_body(body: str) -> str:
    body = clean_text(body or "").strip()
    if not body:
        raise CommentError(_("Write something before you post."))
    if len(body) > MAX_LENGTH:
        raise CommentError(
            _("A comment can be at most %(max)d characters; yours has %(n)d.")
            % {"max": MAX_LENGTH, "n": len(body)}
        )
    return body


def _clean_name(name: str) -> str:
    name = clean_text(name or "", line=True)  # no bidi override reverses a name (I1)
    if not name:
        raise CommentError(_("Give a name to show next to your post."))
    if len(name) > 60:
        raise CommentError(_("The name can be at most 60 characters."))
    return name


def _log(action: str, comment: Comment | None, reason: str = "", excerpt: str = "") -> None:
    log_entry(
        action=action,
        target=comment,
        reason=reason,
        excerpt=excerpt or (comment.body if comment else ""),
    )


def _recent(*, user=None, viewer_key: str = "", exclude: int | None = None):
    """The author's posts of the last hour, newest first: the spam score compares them."""
    since = timezone.now() - timedelta(hours=1)
    mine = Comment.objects.filter(created_at__gte=since)
    if user is not None and user.is_authenticated:
        mine = mine.filter(author=user)
    elif viewer_key:
        mine = mine.filter(viewer_key=viewer_key)
    else:
        return []
    if exclude is not None:
        mine = mine.exclude(pk=exclude)
    return list(mine.order_by("-created_at").values_list("body", "created_at")[:20])


def comment_post(
    *,
    target,
    body: str,
    author=None,
    author_name: str = "",
    viewer_key: str = "",
    parent: Comment | None = None,
    image=None,
    image_alt: str = "",
    language: str = "",
) -> Comment:
    """Store a comment or reply, published at once or held for a moderator.

    Raises CommentError when the post is refused (closed place, ban, restricted word,
    bad input); nothing is stored then.
    """
    has_account = author is not None and author.is_authenticated
    body = _clean_body(body)
    name = "" if has_account else _clean_name(author_name)
    depth = 1
    if parent is not None:
        if (parent.content_type_id, parent.object_id) != (
            _content_type_id(target),
            target.pk,
        ):
            raise CommentError(_("You can only reply within the same conversation."))
        if parent.status != Comment.Status.PUBLISHED:
            raise CommentError(_("That comment can no longer be replied to."))
        if parent.depth >= MAX_DEPTH:
            # Threads stay readable: deeper replies go flat under the last level.
            parent = parent.parent
        depth = parent.depth + 1 if parent else 1
    stored_image = None
    if image:
        try:
            stored_image = reencode_image(image, max_bytes=IMAGE_MAX_BYTES)
        except ValidationError as error:
            raise CommentError(" ".join(error.messages)) from None
    try:
        verdict = screen(
            target=target,
            text=f"{name}\n{body}\n{image_alt}",
            user=author if has_account else None,
            viewer_key=viewer_key,
            language=language,
            recent=_recent(user=author if has_account else None, viewer_key=viewer_key),
        )
    except Refused as refusal:
        if refusal.log_reason:
            _log(ModerationLogEntry.Action.AUTO_REJECTED, None, refusal.log_reason, body)
        raise CommentError(refusal.message) from None

    now = timezone.now()
    with transaction.atomic():
        comment = Comment(
            target=target,
            parent=parent,
            depth=depth,
            author=author if has_account else None,
            author_name=name,
            viewer_key="" if has_account else viewer_key,
            body=body,
            body_html=render_markdown(body),
            image_alt=(image_alt or "").strip()[:200],
            status=Comment.Status.PUBLISHED if verdict.publish else Comment.Status.PENDING,
            moderation_reason=verdict.reason,
            spam_score=verdict.spam_score,
            language=language,
            created_at=now,
            published_at=now if verdict.publish else None,
        )
        if stored_image is not None and stored_image.name:  # reencode_image always names it
            comment.image.save(stored_image.name, stored_image, save=False)
        comment.save()
        if verdict.publish:
            live.publish_comment(comment)
        else:
            _log(ModerationLogEntry.Action.HELD, comment, verdict.reason)
            publish_queue(comment, verdict.reason)
    return comment


def _content_type_id(target) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(target).pk


def comment_edit(*, comment: Comment, body: str, now=None) -> Comment:
    """The author changes their comment within EDIT_WINDOW; it is checked again."""
    now = now or timezone.now()
    if comment.status not in (Comment.Status.PUBLISHED, Comment.Status.PENDING):
        raise CommentError(_("This comment can no longer be edited."))
    if now > comment.created_at + EDIT_WINDOW:
        raise CommentError(_("Comments can only be edited in the first 10 minutes."))
    body = _clean_body(body)
    try:
        verdict = screen(
            target=comment.target,
            text=f"{comment.author_name}\n{body}\n{comment.image_alt}",
            user=comment.author,
            viewer_key=comment.viewer_key,
            language=comment.language,
            recent=_recent(user=comment.author, viewer_key=comment.viewer_key, exclude=comment.pk),
        )
    except Refused as refusal:
        raise CommentError(refusal.message) from None
    with transaction.atomic():
        was_published = comment.status == Comment.Status.PUBLISHED
        comment.body = body
        comment.body_html = render_markdown(body)
        comment.edited_at = now
        if not verdict.publish and was_published:
            comment.status = Comment.Status.PENDING
            comment.moderation_reason = verdict.reason
            _log(ModerationLogEntry.Action.HELD, comment, verdict.reason)
            live.publish_removed(comment)
            publish_queue(comment, verdict.reason)
        comment.save()
    return comment


def comment_delete(*, comment: Comment) -> Comment:
    """The author deletes their comment: the text goes, a "deleted" mark stays in the thread."""
    with transaction.atomic():
        if comment.image:
            comment.image.delete(save=False)
        comment.status = Comment.Status.REMOVED_BY_AUTHOR
        comment.body = ""
        comment.body_html = ""
        comment.image_alt = ""
        comment.save()
        live.publish_removed(comment)
    return comment


def voter_key_for(*, user=None, viewer_key: str = "") -> str:
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    if not viewer_key:
        raise CommentError(_("Your browser did not send the cookie needed to vote."))
    return viewer_key


def comment_vote(*, comment: Comment, value: int, user=None, viewer_key: str = "") -> CommentVote:
    """One agree or disagree per person; the counters move in the same transaction."""
    if value not in (CommentVote.Value.AGREE, CommentVote.Value.DISAGREE):
        raise CommentError(_("Choose agree or disagree."))
    if comment.status != Comment.Status.PUBLISHED:
        raise CommentError(_("You can only vote on published comments."))
    key = voter_key_for(user=user, viewer_key=viewer_key)
    if selectors.is_own(comment, user=user, viewer_key=viewer_key):
        raise CommentError(_("You cannot vote on your own comment."))
    counter = "agree_count" if value == CommentVote.Value.AGREE else "disagree_count"
    try:
        with transaction.atomic():
            vote = CommentVote.objects.create(
                comment=comment,
                voter_key=key,
                user=user if user is not None and user.is_authenticated else None,
                value=value,
            )
            Comment.objects.filter(pk=comment.pk).update(**{counter: F(counter) + 1})
    except IntegrityError:
        raise CommentError(_("You have already voted on this comment.")) from None
    comment.refresh_from_db(fields=["agree_count", "disagree_count"])
    return vote


def comment_counts_recount(*, comment: Comment) -> None:
    """Recount a comment's votes from the raw rows (used by checks and after anonymising)."""
    agree = CommentVote.objects.filter(comment=comment, value=1).count()
    disagree = CommentVote.objects.filter(comment=comment, value=-1).count()
    Comment.objects.filter(pk=comment.pk).update(agree_count=agree, disagree_count=disagree)
