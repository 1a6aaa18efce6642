from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "samskab.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from samskab import live as live_app
        from samskab.comments import privacy
        from samskab.comments.live import place_may_listen
        from samskab.core import privacy as registry

        registry.register("comments", export=privacy.export, anonymise=privacy.anonymise)
        registry.register("comment_votes", export=privacy.export_votes)
        privacy.describe_data()
        # A meeting's posts go to meeting:<id>; other places' to comments:<app.model>:<id>.
        live_app.register_channel("comments", authorize=place_may_listen)
