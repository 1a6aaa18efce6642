from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebcastsConfig(AppConfig):
    name = "samskab.webcasts"
    label = "webcasts"
    verbose_name = _("Webcasts")

    def ready(self) -> None:
        from samskab import live
        from samskab.core import targets
        from samskab.webcasts import signals
        from samskab.webcasts.live_channels import meeting_is_viewable
        from samskab.webcasts.models import Meeting

        # Services publish each mark to `meeting:<id>`; the player and console follow it.
        live.register_channel("meeting", authorize=meeting_is_viewable)
        # What changes the index moves the meeting's version on (the player's cache key).
        signals.connect()
        # The live blog is comments on a meeting; staff who prepare it see it unpublished.
        targets.register(
            Meeting,
            visible=lambda meetings: meetings.filter(is_published=True),
            staff="webcasts.view_meeting",
            capabilities={"comment"},
        )
