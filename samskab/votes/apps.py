from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "samskab.votes"
    label = "votes"
    verbose_name = _("Binding votes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from samskab.core import apis, demo, frontpage, targets
        from samskab.core import privacy as registry
        from samskab.votes import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.votes.api import router
        from samskab.votes.demo import votes_demo_part
        from samskab.votes.front import front_votes
        from samskab.votes.models import Answer, BindingVote, Question
        from samskab.votes.selectors import rules_forget

        # The per-process ballot rules of open votes (selectors.ballot_rules) are read again
        # after any change to a vote, a question or an answer.
        for model in (BindingVote, Question, Answer):
            for signal in (post_save, post_delete):
                signal.connect(rules_forget, sender=model, dispatch_uid=f"votes-rules-{model}")

        # Answers carry pictures and documents through the attachments kernel; a vote has
        # its place (the area it is about) through places.
        targets.register(
            Answer,
            visible=lambda answers: answers.exclude(question__vote__status="draft"),
            staff="votes.manage_vote",
            capabilities={"attach"},
        )
        targets.register(
            BindingVote,
            visible=lambda votes: votes.exclude(status="draft"),
            staff="votes.manage_vote",
            capabilities={"locate", "follow"},
        )
        apis.register("/v1/", router, order=47)
        registry.register("votes", export=privacy.export)
        demo.register("votes", votes_demo_part, order=48)
        frontpage.register(
            "votes",
            label=_("Binding votes"),
            template="votes/front/votes.html",
            context=front_votes,
            order=57,
        )
