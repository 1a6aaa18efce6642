from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "samskab.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from samskab import live
        from samskab.core import targets
        from samskab.moderation.live_channels import QUEUE_EVENTS, moderator_may_listen
        from samskab.moderation.models import ModerationPolicy

        # `moderation:queue`: held posts and reports reach the open queue pages at once.
        # Takes over the live app's provisional registration of the kind.
        live.register_channel("moderation", authorize=moderator_may_listen, events=QUEUE_EVENTS)
        # A place's own moderation mode goes with the place.
        targets.register_table(ModerationPolicy)

        from samskab.core import privacy as registry
        from samskab.moderation import privacy

        registry.register("moderation", export=privacy.export)
        privacy.describe_data()
