"""Setting and clearing the place of a registered target (capability "locate"). The
target's own `<app>.locate_<model>` decides; a point may be held to an area (`within`)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.core import targets
from samskab.core.models import SiteSettings
from samskab.places.geo import Area, GeoError, parse_geometry, point_in_area
from samskab.places.maps import geo_error_message, municipality_area
from samskab.places.models import Place


class PlaceRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _where(target) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def place_set(
    *,
    target,
    user,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    area: str = "",
    within: Area | None = None,
    within_name: str = "",
) -> Place | None:
    """Where the target is: a point, words, an area, or any of them. Nothing given clears
    it. A point outside `within` (a heading's area) is refused, named by `within_name`, and
    so is a point outside the municipality's outline when the site settings give one."""
    if not targets.allows(user, target, "locate"):
        raise PlaceRefused(_("The place cannot be changed here."))
    if (latitude is None) != (longitude is None):
        raise PlaceRefused(_("The place on the map is incomplete. Choose it again."))
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise PlaceRefused(_("The place on the map is incomplete. Choose it again."))
    if (
        latitude is not None
        and longitude is not None
        and within is not None
        and not point_in_area(within, longitude, latitude)
    ):
        raise PlaceRefused(
            _("The place you chose on the map is outside “%(area)s”.") % {"area": within_name}
        )
    if latitude is not None and longitude is not None:
        bounds = municipality_area()
        if bounds is not None and not point_in_area(bounds, longitude, latitude):
            raise PlaceRefused(
                _(
                    "The place you marked is outside %(municipality)s. Mark a place inside "
                    "the municipality, or describe the place in words."
                )
                % {"municipality": SiteSettings.current().name}
            )
    geometry = ""
    if area.strip():
        try:
            geometry = json.dumps(parse_geometry(area).geometry())
        except GeoError as error:
            raise PlaceRefused(geo_error_message(error)) from None
    address = address.strip()
    with transaction.atomic():
        if latitude is None and not address and not geometry:
            Place.objects.filter(**_where(target)).delete()
            return None
        place, _created = Place.objects.update_or_create(
            **_where(target),
            defaults={
                "latitude": latitude,
                "longitude": longitude,
                "address": address,
                "area": geometry,
                "updated_at": timezone.now(),
            },
        )
    return place
