"""Error pages in the site's look and the visitor's language, and informative refusals.

A view that refuses for a reason the citizen should read ("the results are not published
yet") raises `Refused`; the 403 page shows its message. Other 403/404s keep their (possibly
technical, English) messages to themselves and show a general text.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


class Refused(PermissionDenied):
    """Refusal with a message meant for the citizen (already translated)."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


def _page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    return render(request, template, context, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.message if isinstance(exception, Refused) else None
    return _page(request, "403.html", 403, message=message)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404, request_path=request.path)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The full page when the site can still draw it; else a page that needs nothing.

    The full page reads the site settings (database, cache) through the context processors;
    when those are what failed, the plain page (no tags that query anything) still answers.
    """
    try:
        return _page(request, "500.html", 500)
    except Exception:  # the error page itself must never fail
        logger.exception("The full 500 page failed; serving the plain one")
        body = loader.get_template("errors/500_plain.html").render({})
        return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually an expired page or blocked cookies, so say how to go on."""
    return _page(request, "errors/csrf.html", 403)
