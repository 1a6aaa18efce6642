"""Maps in Django: messages for bad GeoJSON, and the inline SVG map any app draws from its
areas and points (places/partials/map.html). No tiles, no third party; the optional tiled
map (templatetags/places.py) only enhances it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from samskab.core.models import SiteSettings
from samskab.places.geo import Area, GeoError, Projection, parse_geometry


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
            _("Feature %(feature)s has no property “%(property)s” naming its area.") % p
        ),
        "unknown_area": lambda: (
            _("Feature %(feature)s names “%(value)s”, which is not one of the areas here.") % p
        ),
        "twice": lambda: _("Feature %(feature)s names “%(value)s”, which has an area already.") % p,
        "one_area": lambda: _("Give exactly one area here; the text has %(count)s.") % p,
    }
    return messages.get(error.code, lambda: _("The map could not be read."))()


def area_problem(text: str) -> str:
    """What is wrong with one area's GeoJSON, in the reader's language; "" when nothing."""
    try:
        parse_geometry(text)
    except GeoError as error:
        return geo_error_message(error)
    return ""


def municipality_area() -> Area | None:
    """The municipality's outline from the site settings, when staff gave one."""
    return area_of(SiteSettings.current().municipality_area)


def municipality_map(points: Iterable[tuple[Any, float, float]] = ()) -> SvgMap | None:
    """The municipality's outline as a map (a form's picker), or None when it has none."""
    area = municipality_area()
    if area is None:
        return None
    return svg_map([(SiteSettings.current().name, area)], points)


def area_of(text: str) -> Area | None:
    """A stored area (checked on the way in); an old bad value is not drawn."""
    if not text or not text.strip():
        return None
    try:
        return parse_geometry(text)
    except GeoError:
        return None


@dataclass(frozen=True)
class MapArea:
    obj: Any  # what the area is (a heading); a link to it when it has get_absolute_url
    path: str
    label: str
    url: str
    area: Area
    # What `{% place_map map labels=True %}` writes on the area (the object's `map_label`,
    # e.g. a postal code, else its label), and where: inside its largest polygon.
    text: str = ""
    text_x: float = 0.0
    text_y: float = 0.0


@dataclass(frozen=True)
class MapPoint:
    obj: Any
    x: float
    y: float
    lon: float
    lat: float
    label: str
    url: str


@dataclass(frozen=True)
class SvgMap:
    projection: Projection
    areas: list[MapArea]
    points: list[MapPoint]

    @property
    def view_box(self) -> str:
        return self.projection.view_box

    @property
    def marker_radius(self) -> float:
        return round(self.projection.width / 80, 1)

    def features(self) -> dict:
        """The same in longitude and latitude, for the tiled map to draw over its tiles."""
        return {
            "areas": [
                {
                    "label": a.label,
                    "url": a.url,
                    "key": getattr(a.obj, "pk", None),
                    "geometry": a.area.geometry(),
                }
                for a in self.areas
            ],
            "points": [
                {"label": p.label, "url": p.url, "lon": p.lon, "lat": p.lat} for p in self.points
            ],
        }


def _url(obj) -> str:
    absolute = getattr(obj, "get_absolute_url", None)
    return absolute() if absolute else ""


def svg_map(
    areas: Iterable[tuple[Any, Area]], points: Iterable[tuple[Any, float, float]] = ()
) -> SvgMap | None:
    """The map of `areas` (objects with their Area), with `points` (objects with longitude
    and latitude) that fall on it; None when there is no area to fit the map to.

    Areas are drawn largest first, so a district lies on top of the city-wide area and both
    can be clicked.
    """
    drawn = list(areas)
    projection = Projection.fit(a for _obj, a in drawn)
    if projection is None:
        return None
    drawn.sort(key=lambda pair: -_extent(pair[1]))
    shown = []
    for obj, lon, lat in points:
        x, y = projection.xy(lon, lat)
        if -1 <= x <= projection.width + 1 and -1 <= y <= projection.height + 1:
            shown.append(MapPoint(obj, round(x, 1), round(y, 1), lon, lat, str(obj), _url(obj)))
    return SvgMap(
        projection,
        [
            MapArea(
                obj,
                projection.path(a),
                str(obj),
                _url(obj),
                a,
                str(getattr(obj, "map_label", "") or obj),
                *_label_point(projection, a),
            )
            for obj, a in drawn
        ],
        shown,
    )


def _label_point(projection: Projection, area: Area) -> tuple[float, float]:
    """Where to write the area's label: the centroid of its largest polygon's outer ring
    (on the map's plane), or the middle of its box where the ring has no area."""
    best: tuple[float, float, float] | None = None
    for polygon in area.polygons:
        ring = [projection.xy(lon, lat) for lon, lat in polygon[0]]
        twice, cx, cy = 0.0, 0.0, 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            twice += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if twice and (best is None or abs(twice) > best[0]):
            best = (abs(twice), cx / (3 * twice), cy / (3 * twice))
    if best is None:
        xs = [projection.xy(lon, lat)[0] for p in area.polygons for lon, lat in p[0]]
        ys = [projection.xy(lon, lat)[1] for p in area.polygons for lon, lat in p[0]]
        return round((min(xs) + max(xs)) / 2, 1), round((min(ys) + max(ys)) / 2, 1)
    return round(best[1], 1), round(best[2], 1)


def _extent(area: Area) -> float:
    lons = [lon for polygon in area.polygons for lon, _lat in polygon[0]]
    lats = [lat for polygon in area.polygons for _lon, lat in polygon[0]]
    return (max(lons) - min(lons)) * (max(lats) - min(lats))
