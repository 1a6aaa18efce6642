"""Keep roles in sync after migrations."""

from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_roles(sender, **kwargs) -> None:
    # post_migrate fires once per app; permissions of every app exist only after the last.
    if sender is not list(apps.get_app_configs())[-1]:
        return
    from samskab.accounts.roles import roles_sync

    roles_sync()
