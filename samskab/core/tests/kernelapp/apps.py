from django.apps import AppConfig


class KernelAppConfig(AppConfig):
    name = "samskab.core.tests.kernelapp"
    label = "kernelapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.activity import kinds
        from samskab.core import privacy, targets
        from samskab.core.tests.kernelapp import (
            hooks,
            rules,  # noqa: F401  # the permissions
        )
        from samskab.core.tests.kernelapp.models import Idea, IdeaBox
        from samskab.core.uploads import AttachLimits

        privacy.exempt("kernelapp.idea.author", "A model of the test suite, never installed.")
        targets.register(
            IdeaBox,
            visible=lambda boxes: boxes.filter(is_published=True),
            capabilities={"follow"},
        )
        targets.register(
            Idea,
            visible=lambda ideas: ideas.filter(box__is_published=True, state="published"),
            process=lambda idea: idea.box,
            author=lambda idea: (idea.author, idea.language),
            capabilities={"comment", "follow", "report", "attach", "locate", "support"},
            moderation=hooks.MODERATED,
            support_limit=hooks.support_limit,
            where=hooks.where,
            # Small on purpose: the tests show that the limits are the kind's own.
            attach=AttachLimits(images=2, image_bytes=60_000, documents=1),
        )
        # "Answered": the municipality's answer to the idea, told to its author and followers.
        kinds.register(Idea, "answered", subject=lambda event: f"Answered: {event.target}")
