"""A vote's postal districts as GeoJSON: uploaded by staff, checked feature by feature, and
drawn on the vote's page; who may vote is still the census' postal code."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.votes.tests.factories import vote_with_questions

pytestmark = pytest.mark.django_db


def _square(west: float, south: float) -> list:
    return [[[west, south], [west + 0.1, south], [west + 0.1, south + 0.1], [west, south]]]


def _collection(*features) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": properties,
                    "geometry": {"type": "Polygon", "coordinates": _square(*corner)},
                }
                for properties, corner in features
            ],
        }
    )


TWO_DISTRICTS = _collection(
    ({"nr": "8000", "navn": "Aarhus C"}, (10.1, 56.1)),
    ({"postnr": 8200, "navn": "Aarhus N"}, (10.1, 56.2)),
)


def _upload(client, vote, text: str):
    return client.post(
        reverse("votes:areas", args=[vote.pk]),
        {"geojson": SimpleUploadedFile("postnumre.geojson", text.encode(), "application/json")},
    )


def test_staff_upload_the_districts_and_the_vote_page_draws_them(client):
    vote = vote_with_questions(postal_codes="8000 8200")
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    page = client.get(vote.get_absolute_url()).text
    assert reverse("votes:areas", args=[vote.pk]) in page
    response = _upload(client, vote, TWO_DISTRICTS)
    assert response.status_code == 302
    vote.refresh_from_db()
    stored = json.loads(vote.areas)
    assert [f["properties"]["postnr"] for f in stored["features"]] == ["8000", "8200"]
    client.logout()
    page = client.get(vote.get_absolute_url()).text
    assert page.count("places-map-area ") == 2 and "8200 Aarhus N" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"type": "Polygon", "coordinates": []}', "FeatureCollection"),
        (_collection(({"navn": "Uden nummer"}, (10, 56))), "names no postal code"),
        (_collection(({"nr": "9000"}, (10, 56))), "9000, which is not among"),
        (
            _collection(({"nr": "8000"}, (10, 56)), ({"nr": "8000"}, (10, 57))),
            "Postal district 8000 has two features",
        ),
        (_collection(({"nr": "8000"}, (10, 56))), "no area for postal district 8200"),
    ],
)
def test_a_bad_map_is_refused_with_the_reason_and_nothing_is_saved(client, text, message):
    vote = vote_with_questions(postal_codes="8000 8200")
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    response = _upload(client, vote, text)
    assert response.status_code == 400 and message in response.text
    vote.refresh_from_db()
    assert vote.areas == ""


def test_a_vote_for_the_whole_municipality_has_no_district_map(client):
    vote = vote_with_questions()
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    response = _upload(client, vote, TWO_DISTRICTS)
    assert response.status_code == 400 and "Give its postal codes first" in response.text


def test_only_staff_change_the_map(client):
    vote = vote_with_questions(postal_codes="8000 8200")
    client.force_login(UserFactory())
    assert _upload(client, vote, TWO_DISTRICTS).status_code == 403
    vote.refresh_from_db()
    assert vote.areas == ""


def test_the_map_writes_each_postal_code_on_its_district_and_lists_them_beside_it(client):
    import re

    from samskab.votes.services import vote_areas_set

    vote = vote_with_questions(postal_codes="8000 8200")
    vote_areas_set(vote=vote, by=StaffFactory(role=Role.EDITOR), text=TWO_DISTRICTS)
    page = client.get(vote.get_absolute_url()).text
    # On the map: the code inside each district (the districts are 0.1 degrees apart
    # north-south, 8000 the southern one, so lower on the map), hidden from screen readers,
    # which hear each district by its code and name instead.
    labels = re.findall(
        r'<text class="places-map-label" x="([\d.]+)" y="([\d.]+)"[^>]*aria-hidden="true">'
        r"(\d{4})</text>",
        page,
    )
    assert sorted(code for _x, _y, code in labels) == ["8000", "8200"]
    y = {code: float(y) for _x, y, code in labels}
    assert y["8000"] > y["8200"]
    assert 'role="img" aria-label="8000 Aarhus C"' in page
    assert 'role="img" aria-label="8200 Aarhus N"' in page
    # Beside the map: the list of the districts by code, with their names.
    listed = page.split('id="vote-districts-heading"')[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", listed) == ["8000 Aarhus C", "8200 Aarhus N"]
