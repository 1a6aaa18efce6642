"""Maps without tile servers: GeoJSON areas checked, points tested against them, and both
projected for an inline SVG. No Django here (mypy checks it: Makefile PURE_MODULES).

A municipality uploads a FeatureCollection of Polygon/MultiPolygon features, one per area
(a budget's headings, a district). Coordinates are WGS 84 longitude/latitude (RFC 7946).
A municipality is small enough that an equirectangular projection scaled by cos(latitude)
at the map's middle looks right; the browser inverts the same formula when a citizen clicks the map.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 2 * 1024 * 1024
# An SVG with more points than this is heavy on a phone; simplify the shapes before upload.
MAX_POINTS = 50_000
MAP_WIDTH = 1000


class GeoError(Exception):
    """What is wrong with a GeoJSON text: a code and the values its message needs."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code, params)
        self.code = code
        self.params = params


Ring = list[tuple[float, float]]
Polygon = list[Ring]  # outer ring first, then holes


@dataclass(frozen=True)
class Area:
    """One feature: its polygons and its properties."""

    polygons: tuple[Polygon, ...]
    properties: Mapping[str, Any]

    def geometry(self) -> dict[str, Any]:
        if len(self.polygons) == 1:
            return {"type": "Polygon", "coordinates": _plain(self.polygons[0])}
        return {"type": "MultiPolygon", "coordinates": [_plain(p) for p in self.polygons]}


def _plain(polygon: Polygon) -> list[list[list[float]]]:
    return [[[x, y] for x, y in ring] for ring in polygon]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ring(raw: Any, feature: int) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise GeoError("ring", feature=feature)
    ring: Ring = []
    for point in raw:
        if not (isinstance(point, list) and len(point) >= 2 and all(map(_number, point[:2]))):
            raise GeoError("coordinates", feature=feature)
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeoError("range", feature=feature)
        ring.append((lon, lat))
    if ring[0] != ring[-1]:
        raise GeoError("ring", feature=feature)
    return ring


def _polygons(geometry: Any, feature: int) -> tuple[Polygon, ...]:
    if not isinstance(geometry, dict):
        raise GeoError("geometry", feature=feature, found="null")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    raw_polygons: list[Any] | None
    if kind == "Polygon":
        raw_polygons = [coordinates]
    elif kind == "MultiPolygon":
        raw_polygons = coordinates if isinstance(coordinates, list) else None
    else:
        raise GeoError("geometry", feature=feature, found=str(kind))
    if not raw_polygons or not all(isinstance(p, list) and p for p in raw_polygons):
        raise GeoError("coordinates", feature=feature)
    return tuple([_ring(r, feature) for r in p] for p in raw_polygons)


def parse_geometry(text: str) -> Area:
    """One area: a Polygon/MultiPolygon geometry, a Feature, or a collection of one."""
    data = _load(text)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        areas = _features(data)
        if len(areas) != 1:
            raise GeoError("one_area", count=len(areas))
        return areas[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        return Area(_polygons(data.get("geometry"), 1), data.get("properties") or {})
    return Area(_polygons(data, 1), {})


def parse_collection(text: str) -> list[Area]:
    """A whole map: a FeatureCollection of Polygon/MultiPolygon features."""
    data = _load(text)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoError("not_collection")
    return _features(data)


def _load(text: str) -> Any:
    if len(text.encode()) > MAX_BYTES:
        raise GeoError("too_large", limit=MAX_BYTES)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise GeoError("json", detail=str(error)[:120]) from None


def _features(data: dict[str, Any]) -> list[Area]:
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GeoError("no_features")
    areas = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise GeoError("feature", feature=number)
        properties = feature.get("properties")
        areas.append(
            Area(
                _polygons(feature.get("geometry"), number),
                properties if isinstance(properties, dict) else {},
            )
        )
    points = sum(len(ring) for area in areas for polygon in area.polygons for ring in polygon)
    if points > MAX_POINTS:
        raise GeoError("too_many_points", points=points, limit=MAX_POINTS)
    return areas


def match_areas(
    areas: Sequence[Area], property_name: str, names: Mapping[int, str]
) -> dict[int, Area]:
    """Which area is which named thing (a heading, a district): each feature's property
    holds the thing's name or its number, the key of `names`."""
    by_name = {name.strip().casefold(): pk for pk, name in names.items()}
    found: dict[int, Area] = {}
    for number, area in enumerate(areas, start=1):
        value = area.properties.get(property_name)
        if value is None or str(value).strip() == "":
            raise GeoError("no_property", feature=number, property=property_name)
        key = str(value).strip()
        pk = by_name.get(key.casefold())
        if pk is None and key.isdigit() and int(key) in names:
            pk = int(key)
        if pk is None:
            raise GeoError("unknown_area", feature=number, value=key)
        if pk in found:
            raise GeoError("twice", feature=number, value=key)
        found[pk] = area
    return found


def point_in_area(area: Area, lon: float, lat: float) -> bool:
    """Even-odd rule over every ring (holes excluded)."""
    for polygon in area.polygons:
        inside = False
        for ring in polygon:
            for (x1, y1), (x2, y2) in itertools.pairwise(ring):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
        if inside:
            return True
    return False


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to SVG units: x grows east, y grows south, origin top left."""

    west: float
    north: float
    scale: float  # SVG units per degree of latitude
    coslat: float
    width: float
    height: float

    @classmethod
    def fit(cls, areas: Iterable[Area], width: float = MAP_WIDTH) -> Projection | None:
        lons, lats = [], []
        for area in areas:
            for polygon in area.polygons:
                for lon, lat in polygon[0]:
                    lons.append(lon)
                    lats.append(lat)
        if not lons:
            return None
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        coslat = math.cos(math.radians((north + south) / 2))
        span = max((east - west) * coslat, 1e-9)
        scale = width / span
        height = max((north - south) * scale, 1.0)
        return cls(west, north, scale, coslat, width, height)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.coslat * self.scale, (self.north - lat) * self.scale

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.west + x / (self.coslat * self.scale), self.north - y / self.scale

    @property
    def view_box(self) -> str:
        # A margin of 1% keeps the outline's stroke inside the picture.
        m = self.width / 100
        return f"{-m:g} {-m:g} {self.width + 2 * m:.1f} {self.height + 2 * m:.1f}"

    def path(self, area: Area) -> str:
        parts = []
        for polygon in area.polygons:
            for ring in polygon:
                points = [self.xy(lon, lat) for lon, lat in ring[:-1]]
                parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
        return "".join(parts)
