"""The moderators' live channel: `moderation:queue` carries held posts and reports."""

QUEUE_CHANNEL = "moderation:queue"
# Only the target's key ("comments.comment:7") and why: the queue page fetches the row
# itself (live.events, event shapes).
QUEUE_EVENTS = {"queue": {"id": str, "reason": str}, "queue_done": {"id": str}}


def moderator_may_listen(user, viewer, key: str) -> bool:
    """Only people who may see the queue (moderators and administrators) may follow it.

    The events carry only ids and reasons, but even that is not for citizens: a held
    post's reason names the restricted word or the reports it drew.
    """
    return bool(
        key == "queue"
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("moderation.view_queue")
    )
