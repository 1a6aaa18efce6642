"""How moderation acts on a comment: the hooks comments registers with core.targets
(`moderation=Moderated(...)`). Moderation locks the row, calls these, resolves the reports
and writes the log; each hook changes the comment and publishes its live event on commit."""

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.comments import live
from samskab.comments.models import Comment
from samskab.core import targets
from samskab.core.markdown import render_markdown
from samskab.core.targets import Moderated, Post, Where

_STATES = {
    Comment.Status.PENDING: Moderated.HELD,
    Comment.Status.PUBLISHED: Moderated.PUBLISHED,
    Comment.Status.HIDDEN: Moderated.HIDDEN,
    Comment.Status.REJECTED: Moderated.REJECTED,
    Comment.Status.REMOVED_BY_AUTHOR: Moderated.GONE,
}


def describe(comment: Comment) -> Post:
    return Post(
        text_html=comment.body_html,
        text=comment.body,
        display_name=comment.display_name,
        created_at=comment.created_at,
        state=_STATES[Comment.Status(comment.status)],
        reason=comment.moderation_reason,
        spam_score=comment.spam_score,
        author=comment.author,
        viewer_key=comment.viewer_key,
        language=comment.language,
        image_url=comment.image.url if comment.image else "",
        image_alt=comment.image_alt,
    )


def held() -> QuerySet:
    return (
        Comment.objects.filter(status=Comment.Status.PENDING)
        .select_related("author", "content_type", "parent__author")
        .order_by("created_at", "pk")
    )


def published(search: str) -> QuerySet:
    posts = Comment.objects.filter(status=Comment.Status.PUBLISHED)
    if search:
        posts = posts.filter(
            Q(body__icontains=search)
            | Q(author_name__icontains=search)
            | Q(author__display_name__icontains=search)
        )
    return posts.select_related("author", "content_type", "parent__author").order_by(
        "-created_at", "-pk"
    )


def hold(comment: Comment, reason: str) -> None:
    comment.status = Comment.Status.PENDING
    comment.moderation_reason = reason
    comment.save(update_fields=["status", "moderation_reason"])
    live.publish_removed(comment)


def approve(comment: Comment) -> None:
    comment.status = Comment.Status.PUBLISHED
    comment.published_at = comment.published_at or timezone.now()
    comment.moderation_reason = ""
    comment.save(update_fields=["status", "published_at", "moderation_reason"])
    live.publish_comment(comment)


def hide(comment: Comment, reason: str, spam: bool) -> None:
    was_published = comment.status == Comment.Status.PUBLISHED
    comment.status = Comment.Status.HIDDEN if was_published else Comment.Status.REJECTED
    comment.moderation_reason = reason
    comment.is_spam = spam
    comment.save(update_fields=["status", "moderation_reason", "is_spam"])
    if was_published:
        live.publish_removed(comment)


def restore(comment: Comment) -> None:
    comment.is_spam = False
    comment.save(update_fields=["is_spam"])
    approve(comment)


def edit(comment: Comment, body: str) -> None:
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    if comment.status == Comment.Status.PUBLISHED:
        live.publish_comment(comment)


def report_count(comment: Comment, count: int) -> None:
    Comment.objects.filter(pk=comment.pk).update(report_count=count)


def where(comment: Comment, at=None) -> Where:
    """The place the comment was written on, as that place describes itself at the time of
    writing (a meeting and its agenda item then), the comment it answers, and the thread's
    address at the comment."""
    place = comment.target
    if place is None:
        return Where(_("A place that no longer exists"))
    there = targets.where_of(place, at=comment.created_at)
    label = there.label
    if comment.parent_id is not None:
        label = _("%(place)s · a reply to %(name)s") % {
            "place": label,
            "name": comment.parent.display_name,
        }
    url = reverse("comments:thread", args=[targets.label_of(place), place.pk])
    return Where(label, f"{url}#{comment.anchor}")


def within(comment: Comment):
    return comment.target


MODERATED = Moderated(
    describe=describe,
    held=held,
    hold=hold,
    approve=approve,
    hide=hide,
    restore=restore,
    edit=edit,
    published=published,
    report_count=report_count,
)
