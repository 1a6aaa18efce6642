from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "samskab.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from samskab.core import privacy as registry
        from samskab.surveys import privacy

        registry.register("surveys", export=privacy.export)
        privacy.describe_data()
