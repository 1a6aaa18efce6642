from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "samskab.budgets"
    label = "budgets"
    verbose_name = _("Citizens' budgets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.budgets import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.comments.targets import register
        from samskab.core import privacy as registry

        register("budgets.project")
        registry.register("budgets", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
