from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "samskab.hearings"
    label = "hearings"
    verbose_name = _("Hearings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from samskab.activity import kinds
        from samskab.comments.models import Comment
        from samskab.core import apis, demo, targets, worker
        from samskab.core import privacy as registry
        from samskab.core.uploads import AttachLimits
        from samskab.hearings import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.hearings.api import router
        from samskab.hearings.demo import hearings_demo_part
        from samskab.hearings.models import Answer, Passage, Process, Proposal, Question
        from samskab.hearings.signals import comment_changed
        from samskab.hearings.tasks import announce_task

        staff = "hearings.moderate_process"
        # The process: followed (phases opening, new versions) and placed on the map.
        targets.register(
            Process,
            visible=lambda qs: qs.filter(is_published=True),
            staff=staff,
            capabilities={"follow", "locate"},
        )
        # The debate phase's questions are answered in comments.
        targets.register(
            Question,
            visible=lambda qs: qs.filter(process__is_published=True),
            staff=staff,
            process=lambda question: question.process,
            capabilities={"comment"},
        )
        targets.register(
            Proposal,
            visible=lambda qs: qs.filter(process__is_published=True, hidden_at__isnull=True),
            staff=staff,
            process=lambda proposal: proposal.process,
            author=lambda proposal: (proposal.author, ""),
            capabilities={"comment", "support", "report"},
        )
        # A passage of the draft carries the comments on it (threaded, moderated, agreed).
        targets.register(
            Passage,
            visible=lambda qs: qs.filter(process__is_published=True),
            staff=staff,
            process=lambda passage: passage.process,
            capabilities={"comment", "report"},
        )
        # A hearing answer's attachments (PDF, pictures); the public sees those of answers
        # whose authors agreed to publication.
        targets.register(
            Answer,
            visible=lambda qs: qs.filter(process__is_published=True, consent=True),
            staff=staff,
            process=lambda answer: answer.process,
            capabilities={"attach"},
            attach=AttachLimits(
                images=5, image_bytes=10 * 1024 * 1024, documents=5, document_bytes=10 * 1024 * 1024
            ),
        )
        kinds.register(
            Process,
            "phase",
            title=_("A new phase of a hearing"),
            subject=lambda event: _("A new phase of a hearing you follow has opened"),
        )
        kinds.register(
            Process,
            "version",
            title=_("A new version of a draft"),
            subject=lambda event: _("A new version of the draft of a hearing you follow"),
        )
        post_save.connect(comment_changed, sender=Comment, dispatch_uid="hearings.comment_saved")
        post_delete.connect(comment_changed, sender=Comment, dispatch_uid="hearings.comment_gone")
        apis.register("/v1/", router, order=47)
        demo.register("hearings", hearings_demo_part, order=47)
        registry.register("hearings", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        # Followers hear of a phase within five minutes of its opening (phases_announce).
        worker.schedule(announce_task, every_s=300)
