from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "samskab.live"
    label = "live"

    def ready(self) -> None:
        from samskab.accounts.roles import is_moderator
        from samskab.live.channels import register_channel

        # The demo page's channels, open to anyone (nothing is published there unless an
        # operator uses the demo page, which exists only with LIVE_DEMO).
        register_channel("demo", public=True)
        # The moderators' queue: new reports and held comments. Citizens are refused.
        # Provisional: the moderation app may register the kind as its own.
        register_channel(
            "moderation",
            authorize=lambda user, viewer, key: is_moderator(user),
            provisional=True,
        )
