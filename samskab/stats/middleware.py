"""Visits to the processes' pages, counted as a number per page and day (issue 25).

No cookie is read or set and nothing about the visitor is kept: a successful GET of one of
the pages named in VISITED adds one `visit` event for its process."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# URL name -> (process kind, the URL argument that is the process's id).
VISITED: dict[str, tuple[str, str]] = {
    "budgets:budget": ("budget", "pk"),
    "budgets:heading": ("budget", "budget_pk"),
    "budgets:results": ("budget", "pk"),
    "budgets:map": ("budget", "pk"),
    "debates:detail": ("debate", "pk"),
}


class VisitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and request.method == "GET"
            and response.status_code == 200
            and match.view_name in VISITED
        ):
            kind, argument = VISITED[match.view_name]
            pk = match.kwargs.get(argument)
            if pk is not None:
                from samskab.stats import ingest
                from samskab.stats.models import stats_settings

                try:
                    if stats_settings().enabled:
                        ingest.record("visit", process=f"{kind}:{pk}")
                except Exception:  # statistics never break a page
                    ingest.logger.exception("Could not count a visit")
        return response


class BeaconMiddleware:
    """The players' beacon answered before every other middleware: it needs no session,
    account, language, CSRF token or security header (it answers 204 with no body and sets
    nothing), and heartbeats come by the thousand a second. First in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.path is None:
            from django.urls import reverse

            self.path = reverse("stats:beacon")
        if request.path_info == self.path and request.method == "POST":
            from samskab.stats.views_beacon import beacon

            return beacon(request)
        return self.get_response(request)
