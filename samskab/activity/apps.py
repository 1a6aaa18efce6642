from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "samskab.activity"
    label = "activity"
    verbose_name = _("Activity")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.activity import privacy
        from samskab.activity.models import Event
        from samskab.core import privacy as registry
        from samskab.core import targets

        registry.register("activity", export=privacy.export)
        privacy.describe_data()

        # A target's history goes when it goes.
        targets.register_table(Event)
