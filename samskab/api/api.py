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


def _add_routers() -> None:
    from samskab.comments.api import router as comments_router

    api.add_router("/v1/comments", comments_router)


_add_routers()


@api.get("/v1/site", tags=["site"], summary="The municipality this installation serves")
def site_info(request):
    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    return {"name": site.name, "website": site.website_url, "languages": ["da", "en"]}


def _add_routers() -> None:
    from samskab.polls.api import router as dialogue

    api.add_router("/v1/", dialogue)


_add_routers()
