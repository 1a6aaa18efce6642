"""The main navigation. Each capability adds its entry when its app arrives.

An entry names a URL; entries whose URL does not resolve yet are left out, so the
menu grows with the product (Møder, Debatter, Forslag, Borgerbudget, Afstemninger, Høringer).
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str


ENTRIES = [
    NavEntry(_("Meetings"), "webcasts:meeting_list"),
    NavEntry(_("Debates"), "debates:list"),
    NavEntry(_("Proposals"), "proposals:list"),
    NavEntry(_("Citizens' budget"), "budgets:list"),
    NavEntry(_("Votes"), "polls:list"),
    NavEntry(_("Consultations"), "hearings:list"),
    NavEntry(_("Presentations"), "presentations:list"),
]


def main_navigation(request: HttpRequest) -> list[dict[str, object]]:
    items = []
    for entry in ENTRIES:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "current": request.path.startswith(url)})
    return items
