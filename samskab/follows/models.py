"""Someone who wants to hear when a target (a project, a proposal) or a whole process (a
budget) changes. What "hear" means (e-mail, notification centre) is the caller's."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    # The language the person followed in: what they are written to in.
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="follows_one_follow_per_user"
            )
        ]

    def __str__(self) -> str:
        kind = self.content_type
        return f"{self.user_id} → {kind.app_label}.{kind.model}:{self.object_id}"
