from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "samskab.live"
    label = "live"

    def ready(self) -> None:
        from samskab.live.channels import register_channel

        # The demo page's channels, open to anyone (nothing is published there unless an
        # operator uses the demo page, which exists only with LIVE_DEMO).
        register_channel("demo", public=True)
