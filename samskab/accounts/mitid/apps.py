from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MitIDConfig(AppConfig):
    # An app only so that allauth's provider registry finds provider.py.
    name = "samskab.accounts.mitid"
    label = "mitid"
    verbose_name = _("MitID")
