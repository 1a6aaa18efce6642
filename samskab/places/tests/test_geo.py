"""The map's GeoJSON checks and projection, as a pure module (no database)."""

import json

import pytest

from samskab.places.geo import (
    MAX_BYTES,
    GeoError,
    Projection,
    match_areas,
    parse_collection,
    parse_geometry,
    point_in_area,
)

SQUARE = [[9.5, 55.9], [9.7, 55.9], [9.7, 56.0], [9.5, 56.0], [9.5, 55.9]]
HOLE = [[9.55, 55.93], [9.65, 55.93], [9.65, 55.97], [9.55, 55.97], [9.55, 55.93]]


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(name, geometry=None):
    return {
        "type": "Feature",
        "properties": {"heading": name},
        "geometry": geometry or {"type": "Polygon", "coordinates": [SQUARE]},
    }


def code_of(text, parse=parse_collection):
    with pytest.raises(GeoError) as caught:
        parse(text)
    return caught.value


def test_it_reads_a_collection_of_polygons_and_multipolygons():
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [HOLE]]}
    areas = parse_collection(collection(feature("A"), feature("B", multi)))
    assert [len(a.polygons) for a in areas] == [1, 2]
    assert areas[1].geometry()["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "json"),
        (json.dumps({"type": "Feature"}), "not_collection"),
        (collection(), "no_features"),
        (collection({"type": "Point"}), "feature"),
        (collection(feature("A", {"type": "Point", "coordinates": [9.5, 55.9]})), "geometry"),
        (collection(feature("A", {"type": "Polygon", "coordinates": [SQUARE[:-1]]})), "ring"),
        (
            collection(feature("A", {"type": "Polygon", "coordinates": [[[1, "x"]] * 4]})),
            "coordinates",
        ),
        (
            collection(
                feature(
                    "A", {"type": "Polygon", "coordinates": [[[p[0] * 100, p[1]] for p in SQUARE]]}
                )
            ),
            "range",
        ),
        (" " * (MAX_BYTES + 1), "too_large"),
    ],
)
def test_it_says_what_is_wrong_with_a_bad_map(text, code):
    assert code_of(text).code == code


def test_the_feature_number_is_in_the_error():
    error = code_of(collection(feature("A"), feature("B", {"type": "LineString"})))
    assert error.params == {"feature": 2, "found": "LineString"}


def test_features_are_matched_to_headings_by_name_or_number():
    areas = parse_collection(collection(feature(" midtbyen "), feature("7")))
    assert set(match_areas(areas, "heading", {3: "Midtbyen", 7: "Hele kommunen"})) == {3, 7}


@pytest.mark.parametrize(
    ("features", "code"),
    [
        ([feature("Nordbyen")], "unknown_area"),
        ([feature("Midtbyen"), feature("midtbyen")], "twice"),
        ([{**feature("x"), "properties": {}}], "no_property"),
    ],
)
def test_it_refuses_features_that_name_no_heading_or_one_twice(features, code):
    areas = parse_collection(collection(*features))
    with pytest.raises(GeoError) as caught:
        match_areas(areas, "heading", {3: "Midtbyen"})
    assert caught.value.code == code


def test_one_heading_area_can_be_a_geometry_a_feature_or_a_collection_of_one():
    geometry = {"type": "Polygon", "coordinates": [SQUARE]}
    for text in (json.dumps(geometry), json.dumps(feature("A")), collection(feature("A"))):
        assert parse_geometry(text).geometry() == geometry
    assert code_of(collection(feature("A"), feature("B")), parse_geometry).code == "one_area"


def test_a_point_inside_a_hole_is_outside_the_area():
    area = parse_geometry(json.dumps({"type": "Polygon", "coordinates": [SQUARE, HOLE]}))
    assert point_in_area(area, 9.52, 55.95)
    assert not point_in_area(area, 9.60, 55.95)  # in the hole
    assert not point_in_area(area, 9.80, 55.95)


def test_the_projection_fits_the_width_keeps_the_shape_and_inverts():
    area = parse_geometry(json.dumps(feature("A")))
    projection = Projection.fit([area])
    assert projection.xy(9.5, 56.0) == (0, 0)
    x, y = projection.xy(9.7, 55.9)
    assert round(x) == 1000
    # 0.2 degrees of longitude at 56° N are about 12.5 km, 0.1 of latitude about 11.1 km.
    assert 0.85 < y / x < 0.92
    lon, lat = projection.lonlat(*projection.xy(9.61, 55.93))
    assert (round(lon, 9), round(lat, 9)) == (9.61, 55.93)
    assert projection.path(area) == "M0.0 893.0L1000.0 893.0L1000.0 0.0L0.0 0.0Z"
