"""The SVG map any app draws (places.maps.svg_map), and the optional tiled map that is off
until the site settings name a tile server."""

import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from samskab.core.models import SiteSettings
from samskab.places.geo import parse_geometry
from samskab.places.maps import svg_map
from samskab.places.tiles import tile_origin

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[9.5, 55.9], [9.7, 55.9], [9.7, 56.0], [9.5, 56.0], [9.5, 55.9]]],
}


class Spot:
    def __init__(self, name, url=""):
        self.name, self.url, self.pk = name, url, 1

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.url


def test_points_on_the_map_are_drawn_and_points_off_it_are_left_out():
    area = parse_geometry(json.dumps(SQUARE))
    drawn = svg_map(
        [(Spot("Midtbyen", "/a/"), area)],
        [(Spot("Inde", "/p/1/"), 9.6, 55.95), (Spot("Ude", "/p/2/"), 12.5, 55.7)],
    )
    assert [p.label for p in drawn.points] == ["Inde"]
    assert drawn.areas[0].url == "/a/" and drawn.areas[0].path.startswith("M")
    assert drawn.features()["areas"][0]["geometry"] == SQUARE


def test_no_area_means_no_map():
    assert svg_map([], [(Spot("Inde"), 9.6, 55.95)]) is None


def _render(request):
    area = parse_geometry(json.dumps(SQUARE))
    context = Context({"request": request, "map": svg_map([(Spot("Midtbyen", "/a/"), area)])})
    return Template("{% load places %}{% place_map map %}").render(context)


@pytest.mark.django_db
def test_the_map_needs_no_third_party_by_default():
    request = RequestFactory().get("/")
    page = _render(request)
    assert "<svg" in page and "leaflet" not in page and "data-tiles" not in page
    assert not hasattr(request, "places_tile_origin")


@pytest.mark.django_db
def test_a_tile_server_in_the_site_settings_turns_the_tiled_map_on():
    site = SiteSettings.current()
    site.map_tile_url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    site.map_tile_attribution = "© OpenStreetMap-bidragydere"
    site.save()
    request = RequestFactory().get("/")
    page = _render(request)
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "vendor/leaflet-1.9.4/leaflet.js" in page and "© OpenStreetMap-bidragydere" in page
    assert "<svg" in page  # kept: without JavaScript, and if the tiles fail
    assert request.places_tile_origin == "https://tile.openstreetmap.org"


def test_the_csp_source_of_a_tile_server_with_subdomains_is_a_wildcard():
    assert tile_origin("https://{s}.tile.example.dk/{z}/{x}/{y}.png") == "https://*.tile.example.dk"
    assert (
        tile_origin("https://kort.kommune.dk:8443/t/{z}/{x}/{y}") == "https://kort.kommune.dk:8443"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://tile.openstreetmap.org/{z}/{x}/{y}.png",  # not https
        "https://tile.openstreetmap.org/{z}/{x}.png",  # no {y}
        'https://x.dk/{z}/{x}/{y}.png"><script>',
    ],
)
@pytest.mark.django_db
def test_a_tile_address_that_is_not_an_https_template_is_refused(url):
    from django.core.exceptions import ValidationError

    site = SiteSettings.current()
    site.map_tile_url = url
    with pytest.raises(ValidationError):
        site.full_clean()


@pytest.mark.django_db
def test_with_tiles_on_a_map_page_allows_the_tile_server_and_the_privacy_page_names_it(client):
    from samskab.budgets.tests.factories import HeadingFactory

    heading = HeadingFactory(geojson=json.dumps(SQUARE))
    budget_page = heading.group.budget.get_absolute_url()
    assert "tile.openstreetmap.org" not in client.get(budget_page)["Content-Security-Policy"]
    assert "tile.openstreetmap.org" not in client.get("/privatliv/").content.decode()

    site = SiteSettings.current()
    site.map_tile_url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    site.map_tile_attribution = "OpenStreetMap"
    site.save()

    response = client.get(budget_page)
    img_src = next(
        part
        for part in response["Content-Security-Policy"].split(";")
        if part.strip().startswith("img-src")
    )
    assert "https://tile.openstreetmap.org" in img_src
    # Pages without a map do not allow it.
    assert "tile.openstreetmap.org" not in client.get("/")["Content-Security-Policy"]
    privacy = client.get("/privatliv/").content.decode()
    assert "from tile.openstreetmap.org (OpenStreetMap)" in privacy
