from django import template
from django.urls import reverse

from samskab.comments import live, selectors
from samskab.comments.forms import AnonymousCommentForm, CommentForm
from samskab.core import targets
from samskab.moderation.models import Mode
from samskab.moderation.selectors import place_rules

register = template.Library()


@register.inclusion_tag("comments/partials/thread_body.html", takes_context=True)
def comment_thread(context, target):
    request = context["request"]
    sort = request.GET.get("sort", selectors.Sort.NEWEST)
    if sort not in selectors.Sort.CHOICES:
        sort = selectors.Sort.NEWEST
    viewer = getattr(request, "viewer", None)
    viewer_key = viewer.key if viewer is not None and viewer.has_token else ""
    user = request.user
    rules = place_rules(target)
    label = targets.label_of(target)
    # A page with several threads (a hearing's questions) includes each with per_target:
    # its own ids, and names that tell the threads apart.
    per_target = bool(context.get("per_target"))
    thread_id = f"comments-{label.replace('.', '-')}-{target.pk}" if per_target else "comments"
    auto_id = f"id_{thread_id}_%s" if per_target else "id_%s"
    return {
        "thread_id": thread_id,
        "per_target": per_target,
        "request": request,
        "user": user,
        "target": target,
        "nodes": selectors.thread(
            target,
            sort=sort,
            user=user,
            viewer_key=viewer_key,
            replies_sort=selectors.Sort.OLDEST,
        ),
        "sort": sort,
        "sorts": [
            (selectors.Sort.NEWEST, "newest"),
            (selectors.Sort.OLDEST, "oldest"),
            (selectors.Sort.SUPPORTED, "supported"),
        ],
        "closed": rules.mode == Mode.CLOSED,
        "premoderated": rules.mode == Mode.PRE,
        "can_post": user.is_authenticated or rules.allow_anonymous,
        # Moderators get "Take down" on each published post (moderation:take_down).
        "may_moderate": user.has_perm("moderation.moderate"),
        "anonymous_form": not user.is_authenticated and rules.allow_anonymous,
        "form": CommentForm(auto_id=auto_id)
        if user.is_authenticated
        else AnonymousCommentForm(auto_id=auto_id),
        "post_url": reverse("comments:post", args=[label, target.pk]),
        "challenge_url": reverse("comments:challenge", args=[label, target.pk]),
        "thread_url": reverse("comments:thread", args=[label, target.pk]),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def can_edit(comment, user) -> bool:
    from django.utils import timezone

    return bool(
        user.has_perm("comments.edit_comment", comment)
        and comment.status in ("published", "pending")
        and timezone.now() <= comment.editable_until()
    )


def liveblog_context(context, meeting) -> dict:
    """The live blog's posts and form (the view behind the player's live blog section)."""
    data = comment_thread(context, meeting)
    data["nodes"] = data["nodes"][:200]
    data["last_id"] = max((n.comment.pk for n in data["nodes"]), default=0)
    return data


@register.inclusion_tag("comments/partials/liveblog_shell.html", takes_context=True)
def liveblog(context, meeting):
    """The live blog section of a meeting's player, without a database query.

    The player page stays as cheap as it was: the posts and the form arrive by one request
    from liveblog.js, and without JavaScript the section links to the full thread page.
    """
    label = targets.label_of(meeting)
    return {
        "meeting": meeting,
        "channel": live.channel_for(meeting),
        "body_url": reverse("comments:liveblog", args=[label, meeting.pk]),
        "since_url": reverse("comments:since", args=[label, meeting.pk]),
        "thread_url": reverse("comments:thread", args=[label, meeting.pk]),
        # A recorded meeting's blog is an archive: no stream, no polling.
        "follows_live": getattr(meeting, "status", "live") in ("live", "planned"),
    }
