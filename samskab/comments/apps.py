from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "samskab.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from samskab import live as live_app
        from samskab.comments import privacy, signals
        from samskab.comments.api import router
        from samskab.comments.live import COMMENT_EVENTS, place_may_listen
        from samskab.comments.models import Comment
        from samskab.core import apis, targets
        from samskab.core import privacy as registry

        apis.register("/v1/comments", router, order=10)
        registry.register("comments", export=privacy.export, anonymise=privacy.anonymise)
        # A target's comments (with their replies, votes and reports) go when it goes.
        targets.register_table(Comment)
        # A comment is itself a target: it can be reported, and moderation holds, approves,
        # hides and restores it through comments' own hooks (comments/moderated.py). It is
        # seen where it is shown and its place may be seen.
        from samskab.comments import moderated

        targets.register(
            Comment,
            visible=lambda comments: comments.filter(status=Comment.Status.PUBLISHED),
            within=moderated.within,
            where=moderated.where,
            author=lambda comment: (comment.author, comment.language),
            moderation=moderated.MODERATED,
            capabilities={"report"},
        )
        post_delete.connect(
            signals.comment_file_delete, sender=Comment, dispatch_uid="comments.file_delete"
        )
        registry.register("comment_votes", export=privacy.export_votes)
        privacy.describe_data()
        # A meeting's posts go to meeting:<id>; other places' to comments:<app.model>:<id>.
        live_app.register_channel("comments", authorize=place_may_listen, events=COMMENT_EVENTS)
