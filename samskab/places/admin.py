"""A target's place in the admin, as an inline any app adds to its model's admin."""

from django.contrib.contenttypes.admin import GenericStackedInline

from samskab.places.models import Place


class PlaceInline(GenericStackedInline):
    model = Place
    extra = 0
    max_num = 1
    fields = ["address", "latitude", "longitude", "area"]
