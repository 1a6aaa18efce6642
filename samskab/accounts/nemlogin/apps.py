from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NemLogInConfig(AppConfig):
    # An app only so that allauth's provider registry finds provider.py.
    name = "samskab.accounts.nemlogin"
    label = "nemlogin"
    verbose_name = _("NemLog-in")
