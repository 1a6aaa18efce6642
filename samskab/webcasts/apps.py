from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebcastsConfig(AppConfig):
    name = "samskab.webcasts"
    label = "webcasts"
    verbose_name = _("Webcasts")
