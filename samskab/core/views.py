"""Site-wide pages: the front page, health, theme, accessibility and privacy."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from samskab.core import frontpage
from samskab.core.markdown import render_markdown
from samskab.core.models import SiteSettings


def home(request: HttpRequest) -> HttpResponse:
    """What is live, coming and open now, in the order the site settings choose."""
    site = SiteSettings.current()
    sections = [
        {
            "key": section.key,
            "live": section.live,
            "html": frontpage.render_section(section, request),
        }
        for section in frontpage.ordered(site.front_page_sections)
    ]
    # Follow site:front only while something can change by itself: a meeting planned or live.
    follow = any(section["live"] and section["html"] for section in sections)
    # A meeting on air is what a visitor came for: when the live section leads the order and
    # has a meeting, it goes up under the site's name, above the introduction (on a phone the
    # introduction and buttons would push it below the fold).
    top = (
        sections.pop(0)
        if sections and sections[0]["key"] == "live" and sections[0]["html"]
        else None
    )
    intro = render_markdown(site.front_page_intro) if site.front_page_intro.strip() else ""
    intro = mark_safe(intro)  # noqa: S308  # sanitised by nh3 in render_markdown
    return render(
        request,
        "core/home.html",
        {
            "sections": sections,
            "top_section": top,
            "intro": intro,
            "front_channel": frontpage.CHANNEL if follow else "",
        },
    )


@require_GET
def front_section(request: HttpRequest, key: str) -> HttpResponse:
    """One live section again, for the front page to swap in when `site:front` says so."""
    section = frontpage.get(key)
    if section is None or not section.live:
        raise Http404
    response = HttpResponse(frontpage.render_section(section, request))
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@cache_control(max_age=300, public=True)
def theme_css(request: HttpRequest) -> HttpResponse:
    """The municipality's colours as CSS custom properties (no inline style under the CSP)."""
    site = SiteSettings.current()
    css = render(request, "core/theme.css", {"site": site}, content_type="text/css")
    return css


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice, generated from the registry the data download also uses
    (samskab.core.privacy), so it names everything the apps store and cannot drift."""
    from samskab.core import privacy as registry

    rows = [
        {
            "key": item.key,
            "what": item.what,
            "purpose": item.purpose,
            "basis": item.basis.label,
            "retention": item.retention_text(),
            "on_deletion": item.on_deletion,
            "in_export": bool(item.export),
            "not_exported": item.not_exported,
        }
        for item in registry.described()
    ]
    return render(request, "core/privacy.html", {"rows": rows})
