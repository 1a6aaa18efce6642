from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DebatesConfig(AppConfig):
    name = "samskab.debates"
    label = "debates"
    verbose_name = _("Debates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from samskab.activity import kinds
        from samskab.comments.models import Comment
        from samskab.core import apis, demo, frontpage, targets
        from samskab.core import privacy as registry
        from samskab.debates import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.debates.api import router
        from samskab.debates.demo import debates_demo_part
        from samskab.debates.front import front_debates
        from samskab.debates.models import Debate
        from samskab.debates.signals import comment_changed

        # Comments, follows, reports of its comments and its place come from the kernel;
        # a hidden debate is seen only by staff (and by its author on its own page).
        targets.register(
            Debate,
            visible=lambda debates: debates.filter(hidden_at__isnull=True),
            staff="debates.moderate_debate",
            author=lambda debate: (debate.author, debate.language),
            capabilities={"comment", "follow", "report", "locate"},
        )
        kinds.register(Debate, "closed", subject=lambda event: _("A debate you follow is closed"))
        kinds.register(
            Debate, "reopened", subject=lambda event: _("A debate you follow is open again")
        )
        kinds.register(
            Debate, "featured", subject=lambda event: _("A debate you follow is featured")
        )
        kinds.register(Debate, "hidden", subject=lambda event: _("Your debate is hidden"))
        kinds.register(Debate, "restored", subject=lambda event: _("Your debate is shown again"))
        # The comment count (and so the hot score) follows the comments on a debate.
        post_save.connect(comment_changed, sender=Comment, dispatch_uid="debates.comment_saved")
        post_delete.connect(comment_changed, sender=Comment, dispatch_uid="debates.comment_gone")

        apis.register("/v1/", router, order=45)
        demo.register("debates", debates_demo_part, order=45)
        registry.register("debates", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        frontpage.register(
            "debates",
            label=_("Debates"),
            template="debates/front/debates.html",
            context=front_debates,
            order=55,
        )
