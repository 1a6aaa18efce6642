from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "samskab.social"
    label = "social"
    verbose_name = _("Social media")

    def ready(self) -> None:
        from samskab.core import backlinks, worker
        from samskab.social import (
            rules,  # noqa: F401  # registers the permissions
            signals,
            tasks,
        )
        from samskab.webcasts.models import Meeting

        # Posts and broadcasts move on every 30 seconds, and at once when a meeting goes
        # live or ends (signals); the webcasts app does not know this app exists.
        worker.schedule(tasks.tick_task, every_s=30)
        signals.connect()
        # The meeting page links to the same meeting live on YouTube and Facebook.
        backlinks.register(Meeting, signals.watch_elsewhere)
