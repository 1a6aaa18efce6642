from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def hours(seconds):
    """Seconds as hours with one decimal ("12,5" in Danish)."""
    if seconds is None:
        return ""
    return number_format(seconds / 3600, 1)
