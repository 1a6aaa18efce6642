from django.http import HttpRequest

from samskab.core.models import SiteSettings
from samskab.core.navigation import main_navigation


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site": SiteSettings.current(),
        "main_navigation": main_navigation(request),
    }
