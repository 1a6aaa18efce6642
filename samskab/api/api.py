"""The REST API (django-ninja). Each capability adds a router under /api/v1/."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from samskab.api.guard import guard

logger = logging.getLogger("django.request")

api = NinjaAPI(
    title="Samskab API",
    version="1",
    # The API documents itself in English, the language of the OpenAPI ecosystem.
    description=(
        "Open data from the municipality's meetings, dialogue and participation. "
        "Writes take a JSON body (Content-Type: application/json). A write signed in by the "
        "browser session sends the X-CSRFToken header; one with an API token "
        "(Authorization: Bearer smk_...) does not. Every refusal is a JSON object with a "
        "`detail`. docs/api.md has the details."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
# "view" wraps the whole operation, before authentication and parsing ("operation" wraps
# only the function, after them).
api.add_decorator(guard, mode="view")


# Every refusal is JSON with a `detail`, never Django's HTML error page (security I2).


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request,
        {"detail": _("Sign in, or send an API token (Authorization: Bearer smk_...).")},
        status=401,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    detail = str(exc) or _("You may not do this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return api.create_response(
        request,
        {"detail": _("The request body is too large (at most %(mb)s MB).") % {"mb": limit}},
        status=413,
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    logging.getLogger("django.security").warning("API: %s", exc)
    return api.create_response(request, {"detail": _("The request is malformed.")}, status=400)


@api.exception_handler(DataError)
def _out_of_range(request, exc):
    # The inputs are bounded before they reach the database; this is the last line.
    logger.warning("API: data the database refused: %s", exc)
    return api.create_response(
        request, {"detail": _("A value in the request is out of range.")}, status=400
    )


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API: %s %s failed", request.method, request.path, exc_info=exc)
    return api.create_response(
        request, {"detail": _("Something went wrong on our side. Try again later.")}, status=500
    )


@api.get("/v1/site", tags=["site"], summary="The municipality this installation serves")
def site_info(request):
    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    return {"name": site.name, "website": site.website_url, "languages": ["da", "en"]}


def _add_routers() -> None:
    """Each capability's router, as its AppConfig.ready registered it (core.apis)."""
    from samskab.core import apis

    for mount in apis.mounts():
        api.add_router(mount.prefix, mount.router)


_add_routers()
