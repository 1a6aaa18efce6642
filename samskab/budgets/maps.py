"""The budget's map: headings' areas (uploaded as one GeoJSON file) and projects' places,
drawn by places.maps.svg_map. Headings are budget concepts, so their upload stays here."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _

from samskab.budgets.models import Budget, Heading
from samskab.places.geo import Area, GeoError, match_areas, parse_collection
from samskab.places.maps import SvgMap, area_of, geo_error_message, svg_map
from samskab.places.selectors import points_of


def budget_map_upload(*, budget: Budget, text: str, property_name: str) -> list[Heading]:
    """Give each heading named in the collection its area; returns headings left without one.

    Raises GeoError; nothing is saved unless the whole file is good.
    """
    headings = {h.pk: h for h in Heading.objects.filter(group__budget=budget)}
    areas = match_areas(
        parse_collection(text), property_name, {pk: h.name for pk, h in headings.items()}
    )
    with transaction.atomic():
        for pk, area in areas.items():
            Heading.objects.filter(pk=pk).update(geojson=json.dumps(area.geometry()))
    return [h for pk, h in headings.items() if pk not in areas]


def map_error_message(error: GeoError) -> str:
    """places' messages, in a budget's words where the areas are its headings."""
    if error.code == "no_property":
        return _("Feature %(feature)s has no property “%(property)s” naming its heading.") % (
            error.params
        )
    if error.code == "unknown_area":
        return (
            _("Feature %(feature)s names “%(value)s”, which is not a heading of this budget.")
            % error.params
        )
    return geo_error_message(error)


def heading_area(heading: Heading) -> Area | None:
    return area_of(heading.geojson)


def budget_map(
    budget: Budget, *, projects=(), headings=None, focus: Heading | None = None
) -> SvgMap | None:
    """The map of a budget's headings (or only `focus`), with the projects that have a point."""
    if headings is None:
        headings = Heading.objects.filter(group__budget=budget).select_related("group__budget")
    drawn = [(h, a) for h in headings if (a := heading_area(h)) is not None]
    if focus is not None:
        drawn = [(h, a) for h, a in drawn if h.pk == focus.pk]
    return svg_map(drawn, points_of(projects))
