"""A person's comments in their data export, and what deleting their account does to them."""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samskab.comments.models import Comment, CommentVote
from samskab.core.privacy import LegalBasis, PersonalData, describe


def export(user) -> list[dict]:
    comments = (
        Comment.objects.filter(author=user)
        .select_related("content_type")
        .prefetch_related("target")
    )
    return [
        {
            # What a person recognises (the page's title and address), then the internal
            # label for those who process the file by machine.
            "page": str(c.target) if c.target is not None else None,
            "url": _page_url(c),
            "place": f"{c.content_type.app_label}.{c.content_type.model}:{c.object_id}",
            "body": c.body,
            "status": c.status,
            "created_at": c.created_at.isoformat(),
            "edited_at": c.edited_at.isoformat() if c.edited_at else None,
            "picture": c.image.url if c.image else None,
            "picture_description": c.image_alt,
        }
        for c in comments
    ]


def _page_url(comment: Comment) -> str | None:
    url = getattr(comment.target, "get_absolute_url", None)
    if url is None:
        return None
    return urljoin(settings.SITE_URL, url()) + f"#{comment.anchor}"


def anonymise(user) -> None:
    # The account row stays (anonymised, shown as "Deleted user"), so the words stay in
    # the conversation others replied to; votes stay counted under the same key.
    Comment.objects.filter(author=user).update(viewer_key="")


def export_votes(user) -> list[dict]:
    return [
        {
            "comment": vote.comment_id,
            "value": vote.get_value_display(),
            "created_at": vote.created_at.isoformat(),
        }
        for vote in CommentVote.objects.filter(user=user).order_by("pk")
    ]


def describe_data() -> None:
    describe(
        PersonalData(
            key="comments",
            what=_(
                "Comments and live-blog posts you write: the text, a picture you add and its "
                "description, where and when you wrote it, and the name you post under. "
                "Without an account: the name you type and a hash of your viewer cookie"
            ),
            purpose=_(
                "To show your contribution in the debate or the live blog, and to let "
                "moderators keep the debate lawful."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_(
                "As long as the debate or meeting is published, or until you delete the post."
            ),
            on_deletion=_(
                "They stay where they were, shown as written by a deleted user; the link to "
                "your viewer cookie is removed."
            ),
            export="apps.comments",
            fields=("comments.comment.author", "comments.comment.viewer_key"),
            order=30,
        ),
        PersonalData(
            key="comment_votes",
            what=_("Your agree and disagree votes on comments"),
            purpose=_("To count each person's vote on a comment once."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the comment is kept."),
            on_deletion=_("They stay counted, linked to the emptied account row."),
            export="apps.comment_votes",
            fields=("comments.commentvote.user", "comments.commentvote.voter_key"),
            order=31,
        ),
    )
