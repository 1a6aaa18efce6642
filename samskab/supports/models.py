"""A person's support for a target (a budget's project, a proposal): one per person and
target, a database constraint; and each target's counter, moved in the same transaction."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Support(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # A deleted account keeps its row (an anonymised tombstone), so its supports still count.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="supports_one_per_person"
            )
        ]
        indexes = [models.Index(fields=["user", "content_type"], name="supports_by_person_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.content_type_id}:{self.object_id}"


class SupportCount(models.Model):
    """How many supports a target has: moved with F() in the transaction that adds or
    removes a support, so it always equals a recount (`supports_recount` checks it)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("support count")
        verbose_name_plural = _("support counts")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="supports_one_count_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} = {self.count}"
