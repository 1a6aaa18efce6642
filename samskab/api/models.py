"""API tokens: how a machine (a chamber's conference system, say) acts as a staff member.

Only a hash of the token is kept; the token itself is shown once, when it is made.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("acts as"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. 'Conference system, hall A'.")
    )
    # SHA-256 of the token: tokens are long and random, so a fast hash is enough.
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("token hash")
    )
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
