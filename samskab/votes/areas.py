"""A vote's areas as GeoJSON: the postal districts who may vote, drawn with the places map.

Staff upload a FeatureCollection of postal districts (e.g. Dataforsyningen's postnumre,
which name the code in "nr"); each feature names one of the vote's postal codes. Who may vote
stays the census' postal code (selectors.eligibility); the outlines only show where that is.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from samskab.places.geo import Area, GeoError, parse_collection
from samskab.places.maps import SvgMap, geo_error_message, svg_map
from samskab.votes.models import BindingVote

# Where a feature may name its postal code: ours first, then the common Danish sources'.
CODE_PROPERTIES = ("postnr", "nr", "postnummer", "postal_code")
NAME_PROPERTIES = ("navn", "name")


class AreasRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _code(properties: dict[str, Any]) -> str:
    for name in CODE_PROPERTIES:
        value = properties.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _name(properties: dict[str, Any]) -> str:
    for name in NAME_PROPERTIES:
        value = properties.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:100]
    return ""


def areas_parse(vote: BindingVote, text: str) -> str:
    """The checked FeatureCollection to store, one feature per postal district of the vote;
    AreasRefused says what is wrong, feature by feature."""
    if not vote.postal_code_list:
        raise AreasRefused(
            _(
                "This vote is open to the whole municipality. Give its postal codes first; the "
                "map then shows those districts."
            )
        )
    try:
        areas = parse_collection(text)
    except GeoError as error:
        raise AreasRefused(geo_error_message(error)) from None
    wanted = set(vote.postal_code_list)
    features = []
    seen: set[str] = set()
    for number, area in enumerate(areas, start=1):
        code = _code(dict(area.properties))
        if not code:
            raise AreasRefused(
                _("Feature %(feature)s names no postal code (the property “postnr” or “nr”).")
                % {"feature": number}
            )
        if code not in wanted:
            raise AreasRefused(
                _(
                    "Feature %(feature)s is postal district %(code)s, which is not among the "
                    "vote's postal codes (%(codes)s)."
                )
                % {"feature": number, "code": code, "codes": ", ".join(sorted(wanted))}
            )
        if code in seen:
            raise AreasRefused(
                _("Postal district %(code)s has two features (feature %(feature)s).")
                % {"code": code, "feature": number}
            )
        seen.add(code)
        features.append(
            {
                "type": "Feature",
                "properties": {"postnr": code, "navn": _name(dict(area.properties))},
                "geometry": area.geometry(),
            }
        )
    missing = sorted(wanted - seen)
    if missing:
        raise AreasRefused(
            _("The map has no area for postal district %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return json.dumps({"type": "FeatureCollection", "features": features})


class District:
    """A postal district on the map: its label is its code and name."""

    def __init__(self, code: str, name: str):
        self.pk = code
        self.code = code
        self.name = name
        self.map_label = code  # what the map writes on the district; its name is in the list

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


def areas_map(vote: BindingVote) -> SvgMap | None:
    if not vote.areas:
        return None
    try:
        areas = parse_collection(vote.areas)
    except GeoError:  # stored after checking; an old bad value is not drawn
        return None
    drawn: list[tuple[District, Area]] = [
        (District(_code(dict(a.properties)), _name(dict(a.properties))), a) for a in areas
    ]
    return svg_map(drawn)
