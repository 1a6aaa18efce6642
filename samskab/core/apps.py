from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samskab.core"
    label = "core"
    verbose_name = _("Site")

    def ready(self) -> None:
        from django.core.cache import cache
        from django.db.models.signals import post_delete, post_save

        from samskab.core import checks, personal_data  # noqa: F401 - checks register
        from samskab.core.models import SITE_SETTINGS_CACHE_KEY, FooterLink, SiteSettings

        personal_data.register()

        def forget_site_settings(**kwargs: object) -> None:
            cache.delete(SITE_SETTINGS_CACHE_KEY)

        for model in (SiteSettings, FooterLink):
            post_save.connect(forget_site_settings, sender=model, weak=False)
            post_delete.connect(forget_site_settings, sender=model, weak=False)

        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import pre_save

        from samskab.core.adminlog import store_msgids

        pre_save.connect(store_msgids, sender=LogEntry, dispatch_uid="core.adminlog")
