"""What other apps say about an object, so a page can link to them without naming them.

A capability that points at another app's object registers a provider from its
AppConfig.ready, and the other app's page shows `{% backlinks obj %}`:

    backlinks.register(Meeting, proposals_on_agenda)   # (meeting) -> [Backlink, ...]

The meeting page then links each agenda item to the citizens' proposal it treats, while
webcasts never imports proposals (the layers stay one-way).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Backlink:
    heading: str | Promise  # the group it is shown under ("Citizens' proposals")
    label: str  # the link's text
    url: str
    about: str = ""  # what on the page it concerns ("Item 4")
    anchor: str = ""  # an id on the page it concerns ("item-17")


_providers: dict[str, list[Callable[[models.Model], list[Backlink]]]] = {}


def register(model: type[models.Model], provider: Callable[[models.Model], list[Backlink]]):
    found = _providers.setdefault(model._meta.label_lower, [])
    if provider not in found:
        found.append(provider)


def of(obj: models.Model) -> list[Backlink]:
    links: list[Backlink] = []
    for provider in _providers.get(obj._meta.label_lower, []):
        links.extend(provider(obj))
    return links
