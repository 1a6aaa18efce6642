from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    name = "samskab.follows"
    label = "follows"
    verbose_name = _("Follows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.core import privacy as registry
        from samskab.core import targets
        from samskab.follows import privacy
        from samskab.follows.models import Follow

        registry.register("follows", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        # A target's follows go when it goes.
        targets.register_table(Follow)
