"""The budget's map in Django: messages for bad GeoJSON, the upload, and what the SVG shows."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from samskab.budgets.geo import (
    Area,
    GeoError,
    Projection,
    match_headings,
    parse_collection,
    parse_geometry,
)
from samskab.budgets.models import Budget, Heading, Project


def geo_error_message(error: GeoError) -> str:
    p = error.params
    messages = {
        "too_large": lambda: (
            _("The map file is too large. The limit is %(limit)s.")
            % {"limit": filesizeformat(p["limit"])}
        ),
        "json": lambda: _("The file is not valid JSON (%(detail)s).") % {"detail": p["detail"]},
        "not_collection": lambda: _(
            "The map must be a GeoJSON FeatureCollection, with one feature per area."
        ),
        "no_features": lambda: _("The map has no features. Add one feature per area."),
        "feature": lambda: _("Feature %(feature)s is not a GeoJSON Feature.") % p,
        "geometry": lambda: (
            _(
                "Feature %(feature)s is a %(found)s. Only Polygon and MultiPolygon areas are "
                "accepted."
            )
            % p
        ),
        "coordinates": lambda: (
            _("Feature %(feature)s has coordinates that are not pairs of numbers.") % p
        ),
        "range": lambda: (
            _(
                "Feature %(feature)s has coordinates outside longitude −180 to 180 and latitude "
                "−90 to 90. Save the file in WGS 84 (EPSG:4326), as GeoJSON requires."
            )
            % p
        ),
        "ring": lambda: (
            _("Feature %(feature)s has a ring that is not closed or has fewer than four points.")
            % p
        ),
        "too_many_points": lambda: (
            _(
                "The map has %(points)s points; the limit is %(limit)s. Simplify the shapes and "
                "upload it again."
            )
            % p
        ),
        "no_property": lambda: (
            _("Feature %(feature)s has no property “%(property)s” naming its heading.") % p
        ),
        "unknown_heading": lambda: (
            _("Feature %(feature)s names “%(value)s”, which is not a heading of this budget.") % p
        ),
        "twice": lambda: _("Feature %(feature)s names “%(value)s”, which has an area already.") % p,
        "one_area": lambda: _("Give exactly one area here; the text has %(count)s.") % p,
    }
    return messages.get(error.code, lambda: _("The map could not be read."))()


def budget_map_upload(*, budget: Budget, text: str, property_name: str) -> list[Heading]:
    """Give each heading named in the collection its area; returns headings left without one.

    Raises GeoError; nothing is saved unless the whole file is good.
    """
    headings = {h.pk: h for h in Heading.objects.filter(group__budget=budget)}
    areas = match_headings(
        parse_collection(text), property_name, {pk: h.name for pk, h in headings.items()}
    )
    with transaction.atomic():
        for pk, area in areas.items():
            Heading.objects.filter(pk=pk).update(geojson=json.dumps(area.geometry()))
    return [h for pk, h in headings.items() if pk not in areas]


def heading_area(heading: Heading) -> Area | None:
    if not heading.geojson.strip():
        return None
    try:
        return parse_geometry(heading.geojson)
    except GeoError:
        return None  # checked on the way in; an old bad value is not drawn


@dataclass(frozen=True)
class MapArea:
    heading: Heading
    path: str


@dataclass(frozen=True)
class MapPoint:
    project: Project
    x: float
    y: float


@dataclass(frozen=True)
class BudgetMap:
    projection: Projection
    areas: list[MapArea]
    points: list[MapPoint]

    @property
    def view_box(self) -> str:
        return self.projection.view_box

    @property
    def marker_radius(self) -> float:
        return round(self.projection.width / 80, 1)


def budget_map(
    budget: Budget, *, projects=(), headings=None, focus: Heading | None = None
) -> BudgetMap | None:
    """The map of a budget's headings (or only `focus`), with projects that have a location.

    Areas are drawn largest first, so a district lies on top of the city-wide area and both
    can be clicked.
    """
    if headings is None:
        headings = Heading.objects.filter(group__budget=budget).select_related("group")
    drawn = [(h, a) for h in headings if (a := heading_area(h)) is not None]
    if focus is not None:
        drawn = [(h, a) for h, a in drawn if h.pk == focus.pk]
    projection = Projection.fit(a for _h, a in drawn)
    if projection is None:
        return None
    drawn.sort(key=lambda pair: -_extent(pair[1]))
    points = []
    for project in projects:
        if project.latitude is not None and project.longitude is not None:
            x, y = projection.xy(project.longitude, project.latitude)
            if -1 <= x <= projection.width + 1 and -1 <= y <= projection.height + 1:
                points.append(MapPoint(project, round(x, 1), round(y, 1)))
    return BudgetMap(projection, [MapArea(h, projection.path(a)) for h, a in drawn], points)


def _extent(area: Area) -> float:
    lons = [lon for polygon in area.polygons for lon, _lat in polygon[0]]
    lats = [lat for polygon in area.polygons for _lon, lat in polygon[0]]
    return (max(lons) - min(lons)) * (max(lats) - min(lats))
