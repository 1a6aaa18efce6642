from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samskab.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from samskab.accounts import privacy, signals  # noqa: F401
        from samskab.accounts.demo import accounts_demo_load
        from samskab.core import demo

        privacy.register()
        demo.register("accounts", accounts_demo_load, order=10)
