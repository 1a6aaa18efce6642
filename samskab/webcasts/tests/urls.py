"""The site's URLs, plus a stand-in meeting page when the player (webcasts-ui) is absent.

reverse("webcasts:meeting") is needed by feeds, search results and the API; the real page
comes from the ui branch. This keeps the data side's tests independent of it.
"""

from django.http import HttpResponse
from django.urls import include, path

from samskab import urls as site_urls
from samskab.webcasts import urls as webcasts_urls


def _meeting_page(request, pk):
    return HttpResponse(f"meeting {pk}")


_webcasts = list(webcasts_urls.urlpatterns)
if not any(getattr(pattern, "name", None) == "meeting" for pattern in _webcasts):
    _webcasts.append(path("<int:pk>/", _meeting_page, name="meeting"))

urlpatterns = [
    path("moeder/", include((_webcasts, "webcasts"))),
    *[p for p in site_urls.urlpatterns if "moeder" not in str(p.pattern)],
]
