"""The REST API (django-ninja). Each capability adds a router under /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Samskab API",
    version="1",
    # The API documents itself in English, the language of the OpenAPI ecosystem.
    description="Open data from the municipality's meetings, dialogue and participation.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.get("/v1/site", tags=["site"], summary="The municipality this installation serves")
def site_info(request):
    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    return {"name": site.name, "website": site.website_url, "languages": ["da", "en"]}


def _add_routers() -> None:
    """Each capability's router, under /api/v1/ (imported here: apps load after this module)."""
    from samskab.budgets.api import router as budgets
    from samskab.comments.api import router as comments
    from samskab.polls.api import router as dialogue
    from samskab.webcasts.api import router as webcasts

    api.add_router("/v1/comments", comments)
    api.add_router("/v1/", dialogue)
    api.add_router("/v1/", webcasts)
    api.add_router("/v1/", budgets)


_add_routers()
