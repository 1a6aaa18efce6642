from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "samskab.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from samskab.core import privacy as registry
        from samskab.feedback import privacy

        registry.register("feedback", export=privacy.export)
        privacy.describe_data()
