"""Moderators' actions and citizens' reports. Every action is logged with who and why."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab.comments import live
from samskab.comments.models import Comment
from samskab.core.markdown import render_markdown
from samskab.moderation.models import Ban, ModerationLogEntry, ModerationSettings, Report


class ModerationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _log(*, moderator, action: str, comment: Comment | None = None, reason: str = "", ban=None):
    return ModerationLogEntry.objects.create(
        moderator=moderator,
        action=action,
        comment=comment,
        reason=(reason or "")[:300],
        ban=ban,
        excerpt=(comment.body if comment else "")[:200],
    )


def author_language(comment: Comment) -> str:
    """The language to write to a comment's author in.

    The account's stored preference where the accounts app keeps one, else the language
    of the request the comment was posted in (stored on the comment), else the site's.
    """
    available = {code for code, _name in settings.LANGUAGES}
    author = comment.author
    for candidate in (
        getattr(author, "language", "") if author is not None else "",
        comment.language,
    ):
        code = (candidate or "").split("-")[0].lower()
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def _tell_author(comment: Comment, reason: str) -> None:
    """E-mail the author why their post was removed, in the author's language."""
    author = comment.author
    if author is None or not author.email or getattr(author, "deleted_at", None):
        return
    with translation.override(author_language(comment)):
        context = {"comment": comment, "reason": reason, "site_url": settings.SITE_URL}
        subject = _("Your comment was removed")
        body = render_to_string("moderation/email/removed.txt", context)
    recipient = author.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient], fail_silently=True))


def comment_approve(*, comment: Comment, moderator) -> Comment:
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.status == Comment.Status.REMOVED_BY_AUTHOR:
            raise ModerationError(_("The author has deleted this comment."))
        comment.status = Comment.Status.PUBLISHED
        comment.published_at = comment.published_at or timezone.now()
        comment.moderation_reason = ""
        comment.report_count = 0
        comment.save()
        Report.objects.filter(comment=comment, resolved_at=None).update(resolved_at=timezone.now())
        _log(moderator=moderator, action=ModerationLogEntry.Action.APPROVED, comment=comment)
        live.publish_comment(comment)
        live.publish_queue_done(comment)
    return comment


def comment_reject(*, comment: Comment, moderator, reason: str, spam: bool = False) -> Comment:
    """Reject a held post or hide a published one; the author is told why by e-mail."""
    reason = (reason or "").strip()
    if not reason and not spam:
        raise ModerationError(_("Give a reason; the author is told it."))
    if spam and not reason:
        reason = _("Spam")
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        was_published = comment.status == Comment.Status.PUBLISHED
        comment.status = Comment.Status.HIDDEN if was_published else Comment.Status.REJECTED
        comment.moderation_reason = reason[:300]
        comment.is_spam = spam
        comment.save()
        Report.objects.filter(comment=comment, resolved_at=None).update(resolved_at=timezone.now())
        action = (
            ModerationLogEntry.Action.SPAM
            if spam
            else ModerationLogEntry.Action.HIDDEN
            if was_published
            else ModerationLogEntry.Action.REJECTED
        )
        _log(moderator=moderator, action=action, comment=comment, reason=reason)
        if was_published:
            live.publish_removed(comment)
        live.publish_queue_done(comment)
        if not spam:
            _tell_author(comment, reason)
    return comment


def comment_take_down(*, comment: Comment, moderator, reason: str) -> Comment:
    """Hide a published post (a live-blog post or a comment) that breaks the rules.

    The same as rejecting it in the queue: a reason is required, it is logged, the post
    leaves every open page at once and the author is e-mailed the reason.
    """
    if comment.status != Comment.Status.PUBLISHED:
        raise ModerationError(_("This post is not shown, so there is nothing to take down."))
    return comment_reject(comment=comment, moderator=moderator, reason=reason)


def comment_moderate_edit(*, comment: Comment, moderator, body: str, reason: str) -> Comment:
    """A moderator corrects a post (e.g. removes a phone number); logged with the old text."""
    body = (body or "").strip()
    if not body or len(body) > 5000:
        raise ModerationError(_("The text must be between 1 and 5,000 characters."))
    with transaction.atomic():
        _log(
            moderator=moderator,
            action=ModerationLogEntry.Action.EDITED,
            comment=comment,
            reason=reason or _("Edited by a moderator"),
        )
        comment.body = body
        comment.body_html = render_markdown(body)
        comment.edited_at = timezone.now()
        comment.save()
        if comment.status == Comment.Status.PUBLISHED:
            live.publish_comment(comment)
    return comment


def ban_create(
    *,
    moderator,
    reason: str,
    user=None,
    viewer_key: str = "",
    until: datetime | None = None,
    comment: Comment | None = None,
) -> Ban:
    if not (reason or "").strip():
        raise ModerationError(_("Give a reason for the ban."))
    if user is None and not viewer_key:
        raise ModerationError(_("This author cannot be identified, so cannot be banned."))
    if until is not None and until <= timezone.now():
        raise ModerationError(_("The end of the ban must be in the future."))
    with transaction.atomic():
        ban = Ban.objects.create(
            user=user,
            viewer_key=viewer_key,
            reason=reason.strip()[:300],
            until=until,
            created_by=moderator,
        )
        _log(
            moderator=moderator,
            action=ModerationLogEntry.Action.BANNED,
            comment=comment,
            reason=reason,
            ban=ban,
        )
    return ban


def ban_for_comment(*, comment: Comment, moderator, reason: str, until=None) -> Ban:
    return ban_create(
        moderator=moderator,
        reason=reason,
        user=comment.author,
        viewer_key="" if comment.author_id else comment.viewer_key,
        until=until,
        comment=comment,
    )


def ban_lift(*, ban: Ban, moderator, reason: str) -> Ban:
    """End a ban before its time; like the ban itself, the lifting has a reason in the log."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Give a reason for lifting the ban."))
    with transaction.atomic():
        ban = Ban.objects.select_for_update().get(pk=ban.pk)
        if ban.lifted_at is not None:
            raise ModerationError(_("This ban has already been lifted."))
        ban.lifted_at = timezone.now()
        ban.save(update_fields=["lifted_at"])
        _log(moderator=moderator, action=ModerationLogEntry.Action.UNBANNED, reason=reason, ban=ban)
    return ban


def report_create(*, comment: Comment, reporter_key: str, reason: str, note: str = "") -> Report:
    """A citizen reports a post; at the threshold a published post goes back to the queue."""
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason."))
    if comment.status != Comment.Status.PUBLISHED:
        raise ModerationError(_("This comment is no longer shown."))
    threshold = ModerationSettings.current().report_threshold
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment, reporter_key=reporter_key, reason=reason, note=note.strip()[:500]
            )
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            comment.refresh_from_db(fields=["report_count", "status"])
            if comment.report_count >= threshold and comment.status == Comment.Status.PUBLISHED:
                comment.status = Comment.Status.PENDING
                comment.moderation_reason = _("Reported by %(n)d people") % {
                    "n": comment.report_count
                }
                comment.save(update_fields=["status", "moderation_reason"])
                _log(
                    moderator=None,
                    action=ModerationLogEntry.Action.REPORTED_TO_QUEUE,
                    comment=comment,
                    reason=comment.moderation_reason,
                )
                live.publish_removed(comment)
                live.publish_queue(comment)
    except IntegrityError:
        raise ModerationError(_("You have already reported this comment.")) from None
    return report


BULK_ACTIONS = ("approve", "reject", "spam")


def comments_bulk(*, comments, action: str, moderator, reason: str = "") -> int:
    if action not in BULK_ACTIONS:
        raise ModerationError(_("Unknown action."))
    done = 0
    with transaction.atomic():
        for comment in comments:
            if action == "approve":
                comment_approve(comment=comment, moderator=moderator)
            else:
                comment_reject(
                    comment=comment, moderator=moderator, reason=reason, spam=action == "spam"
                )
            done += 1
    return done
