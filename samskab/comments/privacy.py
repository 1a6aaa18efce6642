"""A person's comments in their data export, and what deleting their account does to them."""

from samskab.comments.models import Comment


def export(user) -> list[dict]:
    return [
        {
            "place": f"{c.content_type.app_label}.{c.content_type.model}:{c.object_id}",
            "body": c.body,
            "status": c.status,
            "created_at": c.created_at.isoformat(),
            "edited_at": c.edited_at.isoformat() if c.edited_at else None,
        }
        for c in Comment.objects.filter(author=user).select_related("content_type")
    ]


def anonymise(user) -> None:
    # The account row stays (anonymised, shown as "Deleted user"), so the words stay in
    # the conversation others replied to; votes stay counted under the same key.
    Comment.objects.filter(author=user).update(viewer_key="")
