from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "samskab.budgets"
    label = "budgets"
    verbose_name = _("Citizens' budgets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab.budgets import (
            privacy,
            rules,  # noqa: F401  # registers the permissions
        )
        from samskab.budgets.api import router
        from samskab.budgets.demo import budgets_demo_part
        from samskab.budgets.models import Budget, Project
        from samskab.budgets.selectors import project_where
        from samskab.budgets.services import project_support_limit
        from samskab.core import apis, demo, targets
        from samskab.core import privacy as registry
        from samskab.core.uploads import AttachLimits

        # A budget is the process its projects belong to; neither is seen before it is
        # published, except by the staff who prepare it.
        targets.register(
            Budget,
            visible=lambda budgets: budgets.filter(is_published=True),
            staff="budgets.manage_projects",
            capabilities={"follow"},
        )
        targets.register(
            Project,
            visible=lambda projects: projects.filter(heading__group__budget__is_published=True),
            staff="budgets.manage_projects",
            process=lambda project: project.heading.group.budget,
            author=lambda project: (project.author, project.language),
            capabilities={"comment", "follow", "attach", "locate", "support"},
            # Supports (the supports app): the rule budgets.support_project says who and
            # when; this hook how many headings of a group one person may support in.
            support_limit=project_support_limit,
            where=project_where,
            # Up to 10 pictures of 8 MB and 5 PDF documents of 10 MB per project.
            attach=AttachLimits(
                images=10, image_bytes=8 * 1024 * 1024, documents=5, document_bytes=10 * 1024 * 1024
            ),
        )
        # The project's history: its kinds of step, told to its author and followers.
        from samskab.budgets.process import register_kinds

        register_kinds()
        # The e-mail that asks a valuator to assess projects (told to them alone).
        from samskab.budgets.valuation import register_kind

        register_kind()
        apis.register("/v1/", router, order=40)
        demo.register("budgets", budgets_demo_part, order=40)
        registry.register("budgets", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()

        from samskab.budgets.front import front_budgets
        from samskab.core import frontpage

        frontpage.register(
            "budgets",
            label=_("Citizens' budget"),
            template="budgets/front/budgets.html",
            context=front_budgets,
            order=50,
        )
