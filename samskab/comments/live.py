"""What the comments app sends to browsers through `live`, after the transaction commits."""

from django.template.loader import render_to_string

from samskab import live


def channel_for(target) -> str:
    """A meeting's viewers already listen on meeting.channel; other places get their own."""
    channel = getattr(target, "channel", None)
    if channel:
        return channel
    return f"comments:{target._meta.label_lower}:{target.pk}"


def comment_payload(comment) -> dict:
    html = render_to_string(
        "comments/partials/live_post.html", {"comment": comment, "replies": [], "live": True}
    )
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "html": html,
    }


def publish_comment(comment) -> None:
    live.publish_on_commit(channel_for(comment.target), "comment", comment_payload(comment))


def publish_removed(comment) -> None:
    live.publish_on_commit(channel_for(comment.target), "comment_removed", {"id": comment.pk})


# The live app's `moderation` kind admits moderators only.
MODERATION_CHANNEL = "moderation:queue"


def publish_queue(comment) -> None:
    # The moderators' channel: only a count and the id; the page fetches the row itself.
    live.publish_on_commit(
        MODERATION_CHANNEL, "queue", {"id": comment.pk, "reason": comment.moderation_reason}
    )


def publish_queue_done(comment) -> None:
    live.publish_on_commit(MODERATION_CHANNEL, "queue_done", {"id": comment.pk})
