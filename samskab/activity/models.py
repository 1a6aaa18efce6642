"""One step in the public history of a target: what happened, a note from staff, who did it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # The kinds are each target app's own (activity.kinds.register).
    kind = models.CharField(_("kind"), max_length=40)
    note = models.TextField(_("note"), blank=True)
    # The target's status right after the step (a project's "on the ballot"), in the target
    # app's own words; blank when the target has no status.
    status = models.CharField(_("status"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.content_type_id}:{self.object_id}"
