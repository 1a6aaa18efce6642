from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "samskab.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from samskab.comments import privacy
        from samskab.core import privacy as registry

        registry.register("comments", export=privacy.export, anonymise=privacy.anonymise)
