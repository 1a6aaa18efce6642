"""Moderators' actions and citizens' reports on any target. Every action is logged with who
and why.

Moderation never names the apps whose content it moderates: a target registered with
`core.targets.register(..., moderation=Moderated(...))` brings the hooks that hold, approve,
hide and restore it (and publish its own live events). This module locks the row, calls the
hook, resolves the reports, writes the log and tells the author.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab import live
from samskab.core import targets
from samskab.core.targets import Moderated, Post
from samskab.moderation.live_channels import QUEUE_CHANNEL
from samskab.moderation.models import (
    Ban,
    Mode,
    ModerationLogEntry,
    ModerationPolicy,
    ModerationSettings,
    Report,
)
from samskab.moderation.screening import REPORTED_BY


class ModerationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hooks(target) -> Moderated:
    registered = targets.target_of(target)
    if registered is None or registered.moderation is None:
        raise ModerationError(_("This cannot be moderated here."))
    return registered.moderation


def _lock(target):
    return type(target)._default_manager.select_for_update().get(pk=target.pk)


def _of(target) -> dict:
    if target is None:
        return {}
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def log_entry(
    *,
    action: str,
    target=None,
    moderator=None,
    reason: str = "",
    ban: Ban | None = None,
    excerpt: str = "",
) -> ModerationLogEntry:
    """One line of the moderation log (also for the apps that hold or refuse a post when it
    is written). The excerpt keeps what the target said at the time."""
    if not excerpt and target is not None:
        hooks = targets.target_of(target)
        if hooks is not None and hooks.moderation is not None:
            excerpt = hooks.moderation.describe(target).text
        else:
            excerpt = str(target)
    return ModerationLogEntry.objects.create(
        moderator=moderator,
        action=action,
        reason=(reason or "")[:300],
        ban=ban,
        excerpt=(excerpt or "")[:200],
        **_of(target),
    )


def publish_queue(target, reason: str = "") -> None:
    """Tell the open queue pages that something waits (only the key; the page fetches it)."""
    live.publish_on_commit(
        QUEUE_CHANNEL, "queue", {"id": targets.key_of(target), "reason": reason[:300]}
    )


def publish_queue_done(target) -> None:
    live.publish_on_commit(QUEUE_CHANNEL, "queue_done", {"id": targets.key_of(target)})


def author_language(post: Post) -> str:
    """The language to write to an author in: the account's preference where the accounts
    app keeps one, else the language the post was written in, else the site's."""
    available = {code for code, _name in settings.LANGUAGES}
    author = post.author
    for candidate in (
        getattr(author, "language", "") if author is not None else "",
        post.language,
    ):
        code = (candidate or "").split("-")[0].lower()
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def _tell_author(post: Post, reason: str) -> None:
    """E-mail the author why their post was removed, in the author's language."""
    author = post.author
    if author is None or not author.email or getattr(author, "deleted_at", None):
        return
    with translation.override(author_language(post)):
        context = {"post": post, "reason": reason, "site_url": settings.SITE_URL}
        subject = _("Your comment was removed")
        body = render_to_string("moderation/email/removed.txt", context)
    recipient = author.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient], fail_silently=True))


def _resolve_reports(target) -> None:
    Report.objects.open().filter(**_of(target)).update(resolved_at=timezone.now())


def target_approve(*, target, moderator):
    """Show a held post, or keep a reported one and close its reports. A target without
    moderation hooks (reports only) has its reports closed."""
    registered = targets.target_of(target)
    with transaction.atomic():
        target = _lock(target)
        if registered is not None and registered.moderation is not None:
            hooks = registered.moderation
            state = hooks.describe(target).state
            if state == Moderated.GONE:
                raise ModerationError(_("The author has deleted this comment."))
            if state not in (Moderated.HELD, Moderated.PUBLISHED):
                raise ModerationError(_("Only a held or reported post can be approved."))
            hooks.approve(target)
            if hooks.report_count is not None:
                hooks.report_count(target, 0)
        _resolve_reports(target)
        log_entry(moderator=moderator, action=ModerationLogEntry.Action.APPROVED, target=target)
        publish_queue_done(target)
    return target


def target_hide(*, target, moderator, reason: str, spam: bool = False):
    """Reject a held post or hide a published one; the author is told why by e-mail."""
    reason = (reason or "").strip()
    if not reason and not spam:
        raise ModerationError(_("Give a reason; the author is told it."))
    if spam and not reason:
        reason = _("Spam")
    hooks = _hooks(target)
    with transaction.atomic():
        target = _lock(target)
        post = hooks.describe(target)
        if post.state == Moderated.GONE:
            raise ModerationError(_("The author has deleted this comment."))
        if post.state not in (Moderated.HELD, Moderated.PUBLISHED):
            raise ModerationError(_("This post is not shown, so there is nothing to take down."))
        was_published = post.state == Moderated.PUBLISHED
        hooks.hide(target, reason[:300], spam)
        _resolve_reports(target)
        action = (
            ModerationLogEntry.Action.SPAM
            if spam
            else ModerationLogEntry.Action.HIDDEN
            if was_published
            else ModerationLogEntry.Action.REJECTED
        )
        log_entry(
            moderator=moderator, action=action, target=target, reason=reason, excerpt=post.text
        )
        publish_queue_done(target)
        if not spam:
            _tell_author(post, reason)
    return target


def target_take_down(*, target, moderator, reason: str):
    """Hide a published post (a live-blog post, a comment, an idea) that breaks the rules.

    The same as rejecting it in the queue: a reason is required, it is logged, the post
    leaves every open page at once and the author is e-mailed the reason.
    """
    if _hooks(target).describe(target).state != Moderated.PUBLISHED:
        raise ModerationError(_("This post is not shown, so there is nothing to take down."))
    return target_hide(target=target, moderator=moderator, reason=reason)


def target_hold(*, target, moderator, reason: str):
    """Take a published post off the site into the queue, for a second look."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Give a reason; the author is told it."))
    hooks = _hooks(target)
    with transaction.atomic():
        target = _lock(target)
        if hooks.describe(target).state != Moderated.PUBLISHED:
            raise ModerationError(_("This post is not shown, so there is nothing to hold."))
        hooks.hold(target, reason[:300])
        log_entry(
            moderator=moderator, action=ModerationLogEntry.Action.HELD, target=target, reason=reason
        )
        publish_queue(target, reason)
    return target


def target_restore(*, target, moderator, reason: str):
    """Show a post a moderator hid (or rejected) again; logged with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Give a reason for showing it again."))
    hooks = _hooks(target)
    with transaction.atomic():
        target = _lock(target)
        if hooks.describe(target).state not in (Moderated.HIDDEN, Moderated.REJECTED):
            raise ModerationError(_("Only a hidden or rejected post can be shown again."))
        hooks.restore(target)
        log_entry(
            moderator=moderator,
            action=ModerationLogEntry.Action.RESTORED,
            target=target,
            reason=reason,
        )
    return target


def target_moderate_edit(*, target, moderator, body: str, reason: str):
    """A moderator corrects a post (e.g. removes a phone number); logged with the old text."""
    hooks = _hooks(target)
    if hooks.edit is None:
        raise ModerationError(_("This cannot be edited here."))
    body = (body or "").strip()
    if not body or len(body) > 5000:
        raise ModerationError(_("The text must be between 1 and 5,000 characters."))
    with transaction.atomic():
        target = _lock(target)
        log_entry(
            moderator=moderator,
            action=ModerationLogEntry.Action.EDITED,
            target=target,
            reason=reason or _("Edited by a moderator"),
        )
        hooks.edit(target, body)
    return target


def ban_create(
    *,
    moderator,
    reason: str,
    user=None,
    viewer_key: str = "",
    until: datetime | None = None,
    target=None,
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
        log_entry(
            moderator=moderator,
            action=ModerationLogEntry.Action.BANNED,
            target=target,
            reason=reason,
            ban=ban,
        )
    return ban


def ban_for_target(*, target, moderator, reason: str, until=None) -> Ban:
    """Ban the author of a post (by account, else by their viewer key)."""
    post = _hooks(target).describe(target)
    return ban_create(
        moderator=moderator,
        reason=reason,
        user=post.author,
        viewer_key="" if post.author is not None else post.viewer_key,
        until=until,
        target=target,
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
        log_entry(
            moderator=moderator, action=ModerationLogEntry.Action.UNBANNED, reason=reason, ban=ban
        )
    return ban


def report_create(
    *,
    target,
    reason: str,
    note: str = "",
    user=None,
    anonymous_key: str = "",
) -> Report:
    """A citizen reports a post, an idea or anything registered with "report".

    Only reports from signed-in accounts count towards holding a published post: at
    `report_threshold` distinct accounts it goes back to the queue. A report without an
    account (`anonymous_key`: the viewer cookie's key, or the address pseudonym) is kept and
    puts the post in front of the moderators, still shown: cookies cost a script nothing,
    so they may ask for a moderator's look but never take a citizen's post down. A target
    without moderation hooks is never held; its reports wait in the queue.
    """
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason."))
    if not targets.supports(target, "report"):
        raise ModerationError(_("This cannot be reported."))
    if user is not None and user.is_authenticated:
        reporter_key = f"{Report.ACCOUNT_PREFIX}{user.pk}"
    elif anonymous_key and not anonymous_key.startswith(Report.ACCOUNT_PREFIX):
        reporter_key = anonymous_key
    else:
        raise ModerationError(_("This report cannot be counted."))
    hooks = targets.target_of(target).moderation  # type: ignore[union-attr]
    threshold = ModerationSettings.current().report_threshold
    try:
        with transaction.atomic():
            # The target's row first: reports of one post are counted one after the other.
            target = _lock(target)
            if hooks is not None and hooks.describe(target).state != Moderated.PUBLISHED:
                raise ModerationError(_("This comment is no longer shown."))
            report = Report.objects.create(
                reporter_key=reporter_key, reason=reason, note=note.strip()[:500], **_of(target)
            )
            open_reports = Report.objects.open().filter(**_of(target))
            if hooks is not None and hooks.report_count is not None:
                hooks.report_count(target, open_reports.count())
            by_accounts = open_reports.by_accounts().count()
            held_reason = ""
            if hooks is not None and by_accounts >= threshold:
                # In words when a moderator reads it, in their language (held_reason_text).
                held_reason = f"{REPORTED_BY}{by_accounts}"
                hooks.hold(target, held_reason)
                log_entry(
                    moderator=None,
                    action=ModerationLogEntry.Action.REPORTED_TO_QUEUE,
                    target=target,
                    reason=held_reason,
                )
            # Held or not, the moderators' queue shows the post with its reports.
            publish_queue(target, held_reason)
    except IntegrityError:
        raise ModerationError(_("You have already reported this comment.")) from None
    return report


BULK_ACTIONS = ("approve", "reject", "spam")


def targets_bulk(*, items, action: str, moderator, reason: str = "") -> int:
    if action not in BULK_ACTIONS:
        raise ModerationError(_("Unknown action."))
    done = 0
    with transaction.atomic():
        for target in items:
            if action == "approve":
                target_approve(target=target, moderator=moderator)
            else:
                target_hide(
                    target=target, moderator=moderator, reason=reason, spam=action == "spam"
                )
            done += 1
    return done


def policy_set(*, place, mode: str, allow_anonymous: bool = False, moderator):
    """Choose a place's moderation mode (a meeting's live blog, a budget and its projects);
    "" gives the place back to its process's or the site's mode. Logged."""
    if mode and mode not in Mode.values:
        raise ModerationError(_("Choose a mode."))
    with transaction.atomic():
        where = _of(place)
        if not mode:
            ModerationPolicy.objects.filter(**where).delete()
            policy = None
            said = _("As the site's default")
        else:
            policy, _created = ModerationPolicy.objects.update_or_create(
                **where, defaults={"mode": mode, "allow_anonymous": allow_anonymous}
            )
            said = str(policy.get_mode_display())
        log_entry(
            moderator=moderator,
            action=ModerationLogEntry.Action.MODE_CHANGED,
            target=place,
            reason=said,
            excerpt=str(place),
        )
    return policy
