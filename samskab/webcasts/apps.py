from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebcastsConfig(AppConfig):
    name = "samskab.webcasts"
    label = "webcasts"
    verbose_name = _("Webcasts")

    def ready(self) -> None:
        from samskab import live
        from samskab.core import apis, demo, targets
        from samskab.webcasts import signals
        from samskab.webcasts.api import router
        from samskab.webcasts.demo import webcasts_demo_part, webcasts_media_part
        from samskab.webcasts.live_channels import MEETING_EVENTS, meeting_is_viewable
        from samskab.webcasts.models import Meeting
        from samskab.webcasts.selectors import meeting_where

        # Services publish each mark to `meeting:<id>`; the player and console follow it.
        live.register_channel("meeting", authorize=meeting_is_viewable, events=MEETING_EVENTS)
        # What changes the index moves the meeting's version on (the player's cache key).
        signals.connect()
        # The live blog is comments on a meeting; staff who prepare it see it unpublished.
        targets.register(
            Meeting,
            visible=lambda meetings: meetings.filter(is_published=True),
            staff="webcasts.view_meeting",
            capabilities={"comment"},
            where=meeting_where,
        )
        apis.register("/v1/", router, order=30)
        from samskab.core import worker
        from samskab.webcasts import tasks

        # Agendas with an address (OParl or a file) are fetched until the meeting starts.
        worker.schedule(tasks.fetch_agendas, every_s=900)
        demo.register("webcasts", webcasts_demo_part, order=20)
        # After the demo's transaction: the recording takes ffmpeg a while (once).
        demo.register("webcasts-media", webcasts_media_part, order=50, after_commit=True)

        from samskab.core import frontpage
        from samskab.webcasts import front

        frontpage.register(
            "live",
            label=_("Live now"),
            template="webcasts/front/live.html",
            context=front.front_live,
            order=10,
            live=True,
        )
        frontpage.register(
            "upcoming",
            label=_("Next meetings"),
            template="webcasts/front/upcoming.html",
            context=front.front_upcoming,
            order=20,
            live=True,
        )
        frontpage.register(
            "recordings",
            label=_("Recent recordings"),
            template="webcasts/front/recordings.html",
            context=front.front_recordings,
            order=60,
        )
