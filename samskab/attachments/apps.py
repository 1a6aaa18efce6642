from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "samskab.attachments"
    label = "attachments"
    verbose_name = _("Pictures and documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from samskab.attachments import privacy
        from samskab.attachments.models import Document, Image
        from samskab.attachments.services import delete_file_on_commit
        from samskab.core import privacy as registry
        from samskab.core import targets

        registry.register("attachments", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        # A target's pictures and documents go when it goes, and each file with its row.
        targets.register_table(Image)
        targets.register_table(Document)
        for model in (Image, Document):
            post_delete.connect(delete_file_on_commit, sender=model, dispatch_uid=f"{model}")
