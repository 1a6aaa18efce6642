from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "samskab.live"
    label = "live"

    def ready(self) -> None:
        from samskab.live.channels import register_channel

        # The demo page's channels, open to anyone (nothing is published there unless an
        # operator uses the demo page, which exists only with LIVE_DEMO).
        # Its events are not declared: it is also the kind tests publish anything on.
        register_channel("demo", public=True)
        # Site-wide news anyone may follow: `site:front` tells the front page to redraw its
        # live sections (a meeting went live or ended). Nothing private is published there.
        register_channel("site", public=True, events={"front": {"sections": [str]}})
