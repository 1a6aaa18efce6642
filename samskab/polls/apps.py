from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "samskab.polls"
    label = "polls"
    verbose_name = _("Votes and vox pops")

    def ready(self) -> None:
        from samskab.live import register_channel
        from samskab.polls.selectors import poll_channel_may_listen

        # poll:<pk> carries live tallies; only polls whose results are visible may be followed.
        register_channel("poll", authorize=poll_channel_may_listen, replace=True)
