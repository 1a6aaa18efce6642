"""Site-wide pages: the front page, health, theme, accessibility and privacy."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from samskab.core.models import SiteSettings


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


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
    # The page states retention from the settings in force, so it cannot drift from them.
    context = {
        "session_idle_hours": settings.SESSION_COOKIE_AGE // 3600,
        "session_absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        "viewer_cookie_days": settings.VIEWER_COOKIE_AGE // 86400,
    }
    return render(request, "core/privacy.html", context)
