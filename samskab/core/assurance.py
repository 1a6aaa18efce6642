"""The level of assurance (NSIS, as MitID gives it) a process can require for an action.

Staff choose it on the process (a budget's ballot, a binding vote, a hearing's answers, the
site's proposal supports); accounts.identity sends a session below it to a MitID login at
that level first (step-up). Here only the choice and its field, so every app stores it alike.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Assurance(models.TextChoices):
    NONE = "", _("No MitID login required")
    SUBSTANTIAL = "substantial", _("MitID at level substantial")
    HIGH = "high", _("MitID at level high")


def assurance_field(*, default: str = Assurance.NONE, verbose_name=None) -> models.CharField:
    return models.CharField(
        verbose_name or _("MitID login required"),
        max_length=12,
        choices=Assurance,
        default=default,
        db_default=default,
        blank=True,
        help_text=_(
            "A person logged in another way, or with MitID at a lower level, is asked to log "
            "in with MitID at this level first (NSIS). Applies only where MitID is set up."
        ),
    )
