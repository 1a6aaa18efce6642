from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "samskab.places"
    label = "places"
    verbose_name = _("Places and maps")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.core import models as core_models
        from samskab.core import targets
        from samskab.places.maps import area_problem
        from samskab.places.models import Place

        # The municipality's outline in the site settings is checked by the places' rules.
        core_models.area_check = area_problem

        # A target's place goes when it goes.
        targets.register_table(Place)
