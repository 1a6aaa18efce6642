"""`{% place_map map %}`: the inline SVG map (places.maps.svg_map) any app puts on its
pages, enhanced into a tiled map when the site settings name a tile server.

    {% place_map map caption=_("The areas and the projects.") %}
    {% place_map map picker=True map_id="picker" %}   (in a form with latitude/longitude)
    {% place_map map labels=True %}   (each area's `map_label` written on it, and each
                                       area not a link named to screen readers)
"""

from django import template

from samskab.places import tiles

register = template.Library()


@register.inclusion_tag("places/partials/map.html", takes_context=True)
def place_map(context, map, caption="", picker=False, map_id="place-map", labels=False):
    source = tiles.tile_source() if map is not None else None
    if source is not None:
        tiles.mark_request(context.get("request"), source[0])
    return {
        "map": map,
        "caption": caption,
        "picker": picker,
        "labels": labels and not picker,
        "map_id": map_id,
        "tiles": source[0] if source else "",
        "attribution": source[1] if source else "",
        "features": map.features() if (map is not None and source) else None,
        "features_id": f"{map_id}-features",
        "leaflet": tiles.LEAFLET,
    }


@register.filter
def tile_host(url: str) -> str:
    """The tile server's host name, as the privacy page names it."""
    return tiles.tile_origin(url).split("://", 1)[-1].removeprefix("*.")
