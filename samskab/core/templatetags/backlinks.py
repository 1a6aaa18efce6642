"""`{% backlinks obj %}`: links other apps registered to `obj` (core.backlinks)."""

from itertools import groupby

from django import template

from samskab.core import backlinks as registry

register = template.Library()


@register.inclusion_tag("core/backlinks.html")
def backlinks(obj):
    links = registry.of(obj)
    groups = [(str(heading), list(rows)) for heading, rows in groupby(links, lambda b: b.heading)]
    return {"groups": groups}
