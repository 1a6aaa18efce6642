"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from samskab.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("odd input")


def forbidden(request):
    raise PermissionDenied("internal reason: role check 7")


urlpatterns = [
    *urlpatterns,
    path("boom/", boom),
    path("suspicious/", suspicious),
    path("forbidden/", forbidden),
]
