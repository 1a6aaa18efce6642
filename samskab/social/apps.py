from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "samskab.social"
    label = "social"
    verbose_name = _("Social media")

    def ready(self) -> None:
        from samskab.core import backlinks, privacy, worker
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
        # No person's data here: the accounts are the municipality's, posts carry no author.
        privacy.exempt(
            "social.post.idempotency_key",
            "A random key sent with a post so that the network never takes it twice.",
        )
        # The meeting page links to the same meeting live on YouTube and Facebook.
        backlinks.register(Meeting, signals.watch_elsewhere)
