"""The front page's sections, each registered by the capability that has something to show.

    frontpage.register("live", label=_("Live now"), template="webcasts/front/live.html",
                       context=front_live, order=10)

`context(request)` returns the section's template context, or None when it has nothing to
show (then the section is left out, so the page promises only what exists). The site
settings choose the order; sections they do not name follow in their registered order.
Sections named in `LIVE_SECTIONS` are redrawn in the browser when `site:front` publishes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

# The channel the front page follows; publish {"sections": [...]} there when they change.
CHANNEL = "site:front"


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    template: str
    context: Callable[[HttpRequest], dict | None]
    order: int
    live: bool = False  # redrawn when CHANNEL publishes


_sections: dict[str, Section] = {}


def register(
    key: str,
    *,
    label: str | Promise,
    template: str,
    context: Callable[[HttpRequest], dict | None],
    order: int,
    live: bool = False,
) -> None:
    _sections[key] = Section(key, label, template, context, order, live)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def get(key: str) -> Section | None:
    return _sections.get(key)


def parse_order(text: str) -> list[str]:
    return [key.strip() for key in text.replace("\n", ",").split(",") if key.strip()]


def ordered(order: str) -> list[Section]:
    """The registered sections in the site's order; unnamed ones after, in their own order."""
    chosen = [_sections[key] for key in dict.fromkeys(parse_order(order)) if key in _sections]
    return chosen + [section for section in sections() if section not in chosen]


def render_section(section: Section, request: HttpRequest) -> SafeString:
    context = section.context(request)
    if not context:
        return mark_safe("")
    html = render_to_string(section.template, context, request)
    return mark_safe(html)  # noqa: S308  # our own template's output, escaped as it renders
