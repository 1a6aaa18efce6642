from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportsConfig(AppConfig):
    name = "samskab.supports"
    label = "supports"
    verbose_name = _("Supports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.core import privacy as registry
        from samskab.core import targets
        from samskab.supports import privacy
        from samskab.supports.models import Support, SupportCount

        registry.register("supports", export=privacy.export)
        privacy.describe_data()
        # A target's supports and its counter go when it goes.
        targets.register_table(Support)
        targets.register_table(SupportCount)
