from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "samskab.polls"
    label = "polls"
    verbose_name = _("Votes and vox pops")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from samskab.core import apis, demo
        from samskab.live import declare_events, register_channel
        from samskab.polls.api import router
        from samskab.polls.demo import polls_demo_part
        from samskab.polls.models import Option, Question
        from samskab.polls.selectors import (
            POLL_EVENTS,
            POLL_STATE,
            forget_shapes,
            poll_channel_may_listen,
        )

        for model in (Question, Option):
            post_save.connect(forget_shapes, sender=model, dispatch_uid=f"polls-shape-{model}")
            post_delete.connect(forget_shapes, sender=model, dispatch_uid=f"polls-shape-d{model}")

        from samskab.polls.services import poll_channels_close
        from samskab.webcasts.signals import meeting_unpublished

        meeting_unpublished.connect(
            lambda sender, meeting, **kwargs: poll_channels_close(meeting=meeting),
            weak=False,
            dispatch_uid="polls-close-on-unpublish",
        )
        # poll:<pk> carries live tallies; only polls whose results are visible may be followed.
        register_channel(
            "poll", authorize=poll_channel_may_listen, replace=True, events=POLL_EVENTS
        )
        # A poll opening or closing is announced to its meeting's player too.
        declare_events("meeting", {"poll": POLL_STATE})
        apis.register("/v1/", router, order=20)
        demo.register("polls", polls_demo_part, order=30)

        from samskab.core import frontpage
        from samskab.polls.front import front_polls

        frontpage.register(
            "polls",
            label=_("Vote now"),
            template="polls/front/polls.html",
            context=front_polls,
            order=30,
        )

        from samskab.core import privacy as registry
        from samskab.polls import privacy

        registry.register("polls", export=privacy.export)
        privacy.describe_data()
