from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "samskab.stats"
    label = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.core import worker
        from samskab.stats import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
            tasks,
        )

        # Participation the server already knows (votes, answers, feedback, comments) and the
        # budgets' supports, ballots and proposals are counted by the roll-up from those apps'
        # own tables: none of them imports this app.
        privacy.describe_data()
        # The worker rolls the events up every five minutes and sends the monthly report.
        worker.schedule(tasks.rollup_task, every_s=300)
        worker.schedule(tasks.monthly_report_task, every_s=3600)
