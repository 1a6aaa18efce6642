from django.apps import AppConfig


class KernelAppConfig(AppConfig):
    name = "samskab.core.tests.kernelapp"
    label = "kernelapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.activity import kinds
        from samskab.core import privacy, targets
        from samskab.core.tests.kernelapp import rules  # noqa: F401  # the permissions
        from samskab.core.tests.kernelapp.models import Idea, IdeaBox

        privacy.exempt("kernelapp.idea.author", "A model of the test suite, never installed.")
        targets.register(
            IdeaBox,
            visible=lambda boxes: boxes.filter(is_published=True),
            capabilities={"follow"},
        )
        targets.register(
            Idea,
            visible=lambda ideas: ideas.filter(box__is_published=True),
            process=lambda idea: idea.box,
            author=lambda idea: (idea.author, idea.language),
            capabilities={"comment", "follow", "report"},
        )
        # "Answered": the municipality's answer to the idea, told to its author and followers.
        kinds.register(Idea, "answered", subject=lambda event: f"Answered: {event.target}")
