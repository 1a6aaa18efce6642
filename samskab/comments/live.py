"""What the comments app sends to browsers through `live`, after the transaction commits."""

from django.template.loader import render_to_string

from samskab import live

# What a place's channel carries for its comments (live.events, event shapes): the post as
# the page draws it, and the id of one to take away. A meeting's channel declares them too.
COMMENT_EVENTS = {
    "comment": {"id": int, "parent": (int, None), "html": str},
    "comment_removed": {"id": int},
}


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


def place_may_listen(user, viewer, key: str) -> bool:
    """`comments:<app.model>:<pk>`: anyone who may see the place may follow its comments."""
    from django.http import Http404

    from samskab.core import targets

    label, _sep, raw_pk = key.partition(":")
    if not raw_pk.isdigit():
        return False
    try:
        targets.resolve(label, int(raw_pk), capability="comment", user=user)
    except Http404:
        return False
    return True
