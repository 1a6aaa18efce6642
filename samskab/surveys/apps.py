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

        from samskab.core import frontpage
        from samskab.surveys.front import front_surveys

        frontpage.register(
            "surveys",
            label=_("Have your say"),
            template="surveys/front/surveys.html",
            context=front_surveys,
            order=40,
        )
