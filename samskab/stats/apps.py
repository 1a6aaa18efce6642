from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "samskab.stats"
    label = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from samskab.comments.models import Comment
        from samskab.core import worker
        from samskab.feedback.models import FeedbackMessage
        from samskab.polls.models import Vote
        from samskab.stats import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
            signals,
            tasks,
        )
        from samskab.surveys.models import Response

        # Participation the server sees; the capabilities do not know this app.
        post_save.connect(signals.vote_saved, sender=Vote, dispatch_uid="stats-vote")
        post_save.connect(signals.answer_saved, sender=Response, dispatch_uid="stats-answer")
        post_save.connect(
            signals.feedback_saved, sender=FeedbackMessage, dispatch_uid="stats-feedback"
        )
        post_save.connect(signals.comment_saved, sender=Comment, dispatch_uid="stats-comment")
        privacy.describe_data()
        # The worker rolls the events up every five minutes and sends the monthly report.
        worker.schedule(tasks.rollup_task, every_s=300)
        worker.schedule(tasks.monthly_report_task, every_s=3600)
