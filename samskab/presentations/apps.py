from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresentationsConfig(AppConfig):
    name = "samskab.presentations"
    label = "presentations"
    verbose_name = _("Presentations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from samskab.attachments.models import Document
        from samskab.core import demo, targets
        from samskab.core import privacy as registry
        from samskab.core.uploads import AttachLimits
        from samskab.presentations import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.presentations.demo import presentations_demo_part
        from samskab.presentations.models import Presentation
        from samskab.presentations.signals import document_saved

        # The presentation's library: pictures and PDF slide decks are attachments on it.
        targets.register(
            Presentation,
            visible=lambda qs: qs.filter(status=Presentation.Status.PUBLISHED),
            staff="presentations.build_presentation",
            capabilities={"attach"},
            attach=AttachLimits(
                images=200,
                image_bytes=15 * 1024 * 1024,
                documents=50,
                document_bytes=50 * 1024 * 1024,
            ),
        )
        post_save.connect(document_saved, sender=Document, dispatch_uid="presentations:deck")
        # The builder's preview follows `presentation:<id>`: every save says its revision.
        from samskab import live
        from samskab.presentations.services import LIVE_EVENTS, builder_may_listen

        live.register_channel("presentation", authorize=builder_may_listen, events=LIVE_EVENTS)
        registry.register("presentations", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        demo.register("presentations", presentations_demo_part, order=90, after_commit=True)
