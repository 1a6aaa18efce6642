"""Pictures and PDF documents on any registered target (capability "attach"). Files are
checked and re-encoded on the way in (core.uploads); the limits are the target kind's."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Image(models.Model):
    """A picture, re-encoded on upload (no metadata, at most 1600 pixels a side)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    file = models.ImageField(_("picture"), upload_to="attachments/images/%Y/%m/")
    # Required: what the picture shows, for people who cannot see it.
    alt = models.CharField(_("picture description"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(alt=""), name="attachments_image_has_description"
            )
        ]

    def __str__(self) -> str:
        return self.alt


class Document(models.Model):
    """A PDF (a drawing, an offer), checked to be a readable PDF on upload."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("PDF file"), upload_to="attachments/documents/%Y/%m/")
    title = models.CharField(_("title"), max_length=200)
    size = models.PositiveIntegerField(default=0, verbose_name=_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("attached documents")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title
