"""Where a registered target is (capability "locate"): a point, an address or description
in words, and an area (GeoJSON), each optional. One place per target."""

import json

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # Typed by a person: "Byparken, by the playground". A keyboard user's way to say where.
    address = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("An address or a description.")
    )
    # A Polygon or MultiPolygon (GeoJSON geometry, WGS 84), checked by places.geo.
    area = models.TextField(_("area (GeoJSON)"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="places_one_place_per_target"
            ),
            # A point is both coordinates or neither.
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="places_point_is_whole",
            ),
        ]

    def __str__(self) -> str:
        if self.address:
            return self.address
        if self.has_point:
            return f"{self.latitude:.5f}, {self.longitude:.5f}"
        return str(_("An area"))

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def geometry(self) -> dict | None:
        return json.loads(self.area) if self.area else None
