"""Where targets are: one target's place, or the places of many at once."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from samskab.places.models import Place


def place_of(target) -> Place | None:
    kind = ContentType.objects.get_for_model(target)
    return Place.objects.filter(content_type=kind, object_id=target.pk).first()


def places_of(objects: Iterable) -> dict[int, Place]:
    """{pk: place} for objects of one model, in one query; those without a place are absent."""
    objects = list(objects)
    if not objects:
        return {}
    kind = ContentType.objects.get_for_model(objects[0])
    rows = Place.objects.filter(content_type=kind, object_id__in=[o.pk for o in objects])
    return {place.object_id: place for place in rows}


def points_of(objects: Iterable) -> list[tuple[object, float, float]]:
    """(object, longitude, latitude) of those with a point, for places.maps.svg_map."""
    objects = list(objects)
    found = places_of(objects)
    return [
        (o, place.longitude, place.latitude)
        for o in objects
        if (place := found.get(o.pk)) is not None
        and place.longitude is not None  # has_point, spelt out for the type checker
        and place.latitude is not None
    ]
