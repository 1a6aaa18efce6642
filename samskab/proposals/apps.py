from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "samskab.proposals"
    label = "proposals"
    verbose_name = _("Proposals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from samskab.activity import kinds
        from samskab.comments.models import Comment
        from samskab.core import apis, backlinks, demo, frontpage, targets
        from samskab.core import privacy as registry
        from samskab.proposals import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.proposals.api import router
        from samskab.proposals.demo import proposals_demo_part
        from samskab.proposals.front import front_proposals, meeting_backlinks
        from samskab.proposals.models import Proposal
        from samskab.proposals.signals import comment_changed, support_deleted, support_saved
        from samskab.supports.models import Support
        from samskab.webcasts.models import Meeting

        # Comments, follows, reports, pictures and documents, its place and its supports
        # come from the kernel; a hidden proposal is seen only by staff and its author.
        targets.register(
            Proposal,
            visible=lambda proposals: proposals.filter(hidden_at__isnull=True),
            staff="proposals.moderate_proposal",
            author=lambda proposal: (proposal.author, proposal.language),
            capabilities={"comment", "follow", "report", "attach", "locate", "support"},
        )
        kinds.register(
            Proposal,
            "succeeded",
            title=_("Proposals that reach their supports"),
            subject=lambda event: _("A proposal you follow has reached its supports"),
        )
        kinds.register(
            Proposal,
            "answered",
            title=_("Answers to proposals"),
            subject=lambda event: _("A proposal you follow is answered"),
        )
        kinds.register(
            Proposal,
            "agenda",
            title=_("Proposals on the council's agenda"),
            subject=lambda event: _("A proposal you follow is on the council's agenda"),
        )
        kinds.register(
            Proposal,
            "retired",
            title=_("Retired proposals"),
            subject=lambda event: _("A proposal you follow was retired by its author"),
        )
        kinds.register(
            Proposal,
            "message",
            title=_("Messages from the authors of proposals"),
            subject=lambda event: _("A message from the author of a proposal you support"),
        )
        kinds.register(Proposal, "vote", subject=lambda event: _("A proposal goes to a vote"))
        kinds.register(  # recorded by votes.services.vote_open on the vote's origin
            Proposal,
            "vote_opened",
            title=_("Binding votes on proposals"),
            subject=lambda event: _("Voting has opened on a proposal you follow"),
            headline=lambda event: _("Residents can now vote on it in a binding vote:"),
        )
        kinds.register(Proposal, "hidden", subject=lambda event: _("Your proposal is hidden"))
        kinds.register(
            Proposal, "restored", subject=lambda event: _("Your proposal is shown again")
        )
        from samskab.proposals.selectors import list_changed

        post_save.connect(list_changed, sender=Proposal, dispatch_uid="proposals.list_saved")
        post_delete.connect(list_changed, sender=Proposal, dispatch_uid="proposals.list_deleted")
        post_save.connect(support_saved, sender=Support, dispatch_uid="proposals.support_saved")
        post_delete.connect(
            support_deleted, sender=Support, dispatch_uid="proposals.support_deleted"
        )
        post_save.connect(comment_changed, sender=Comment, dispatch_uid="proposals.comment_saved")
        post_delete.connect(comment_changed, sender=Comment, dispatch_uid="proposals.comment_gone")
        backlinks.register(Meeting, meeting_backlinks)

        apis.register("/v1/", router, order=46)
        demo.register("proposals", proposals_demo_part, order=46)
        registry.register("proposals", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        frontpage.register(
            "proposals",
            label=_("Proposals"),
            template="proposals/front/proposals.html",
            context=front_proposals,
            order=56,
        )
