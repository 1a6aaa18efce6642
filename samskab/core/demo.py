"""The demo municipality, assembled from the parts each app registers.

Core loads the site settings; every other app adds its part from its AppConfig.ready:

    demo.register("budgets", budgets_demo_part, order=40)

A part takes the shared `context` dict (earlier parts leave what later ones need, e.g. the
demo meetings) and returns lines for `samskab demo` to print. Parts run in `order` inside one
transaction; parts marked `after_commit` (slow media work) run after it. Idempotent: running
it again refreshes the same rows and creates nothing twice.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from samskab.core.models import FooterLink, SiteSettings


@dataclass(frozen=True)
class Part:
    name: str
    load: Callable[[dict], Iterable[str] | None]
    order: int
    after_commit: bool


_parts: dict[str, Part] = {}


def register(
    name: str,
    load: Callable[[dict], Iterable[str] | None],
    *,
    order: int,
    after_commit: bool = False,
) -> None:
    _parts[name] = Part(name, load, order, after_commit)


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.name))


def _run(part: Part, context: dict) -> None:
    context.setdefault("lines", []).extend(part.load(context) or [])


@transaction.atomic
def demo_load() -> dict:
    """Every part that runs in the transaction; returns the context, with its "lines"."""
    context: dict = {"lines": []}
    _site()
    for part in parts():
        if not part.after_commit:
            _run(part, context)
    return context


def demo_load_after_commit(context: dict) -> dict:
    for part in parts():
        if part.after_commit:
            _run(part, context)
    return context


# A made-up municipality in Mid-Jutland (longitude, latitude): the site's outline, which
# the budgets' demo map and every demo place lie within.
MUNICIPALITY = [
    (9.50, 55.90), (9.58, 55.88), (9.68, 55.89), (9.73, 55.93), (9.72, 55.99),
    (9.66, 56.02), (9.57, 56.02), (9.50, 55.98), (9.48, 55.94), (9.50, 55.90),
]  # fmt: skip


def _site() -> None:
    site = SiteSettings.current()
    site.name = "Samskab Demokommune"
    site.tagline = "Følg byrådet, sig din mening, og stem om borgerbudgettet"
    site.contact_email = "kontakt@demo.samskab.dk"
    site.municipality_area = site.municipality_area or json.dumps(
        {"type": "Polygon", "coordinates": [[list(point) for point in MUNICIPALITY]]}
    )
    # The privacy page names the DPO; a made-up one, so the demo shows where it goes.
    site.dpo_name = site.dpo_name or "Databeskyttelsesrådgiveren"
    site.dpo_email = site.dpo_email or "dpo@demo.samskab.dk"
    site.dpo_address = site.dpo_address or "Samskab Demokommune\nRådhuspladsen 1\n9999 Demoby"
    site.save()
    for position, (label, url) in enumerate(
        [("Kommunens hjemmeside", "https://example.org/"), ("Om Samskab", "https://example.org/om")]
    ):
        FooterLink.objects.update_or_create(
            site=site, position=position, defaults={"label": label, "url": url}
        )
