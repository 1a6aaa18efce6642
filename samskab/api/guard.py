"""What every API operation checks before it authenticates or reads its input (security M6).

Added to the whole API at once (`api.add_decorator`), so a new router cannot forget it:
- a URL with a NUL character is refused (400): no database can look it up;
- a write (POST, PUT, PATCH, DELETE) with a body must say `Content-Type: application/json`
  (415 otherwise). A browser sends a cross-site form or a `text/plain` fetch without asking
  the server first; a JSON one it may only send after a CORS preflight, which we never grant;
- a write that acts as the browser's signed-in session must pass Django's CSRF check, as
  every form does (403 otherwise): the `X-CSRFToken` header with the `csrftoken` cookie;
- a request that carries an `Authorization` header acts as its API token's user, on every
  operation (a vote too), and never as the session's; a token that is not valid is a 401.
  A browser cannot add that header to a cross-site request, so it needs no CSRF token.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja.utils import check_csrf

from samskab.api.tokens import api_token_authenticate
from samskab.core.text import broken

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _url_has_nul(request: HttpRequest) -> bool:
    # Percent-decoding cannot make a lone surrogate (Django replaces broken UTF-8), only NUL.
    if broken(request.path_info):
        return True
    return any(broken(key) or broken(value) for key, value in request.GET.items())


def _has_body(request: HttpRequest) -> bool:
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > 0:
            return True
    except ValueError:
        return True
    try:
        return bool(request.body)
    except RequestDataTooBig:
        return True


def _is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def check_request(request: HttpRequest) -> JsonResponse | None:
    """The refusal of `request` by the rules above, or None to go on."""
    if _url_has_nul(request):
        return _problem(400, _("The address contains a NUL character, which is not allowed."))
    if "authorization" in request.headers:
        scheme, _space, raw = request.headers["authorization"].partition(" ")
        user = api_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return _problem(
                401, _("The API token is not valid. Send it as Authorization: Bearer smk_...")
            )
        request.user = user
        request.api_token_user = user  # the operation's own token check need not look again
    if request.method not in WRITES:
        return None
    if (request.content_type or _has_body(request)) and not _is_json(request):
        return _problem(
            415, _("Send the request body as JSON, with Content-Type: application/json.")
        )
    if getattr(request, "api_token_user", None) is None and (
        request.user.is_authenticated and check_csrf(request) is not None
    ):
        return _problem(
            403,
            _(
                "CSRF check failed: a request signed in by the session needs the X-CSRFToken "
                "header with the value of the csrftoken cookie."
            ),
        )
    return None


def guard(run):
    """Decorate an operation's run (before authentication and parsing) with `check_request`."""

    @wraps(run)
    def guarded(request: HttpRequest, *args, **kwargs):
        return check_request(request) or run(request, *args, **kwargs)

    return guarded
