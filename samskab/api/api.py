"""The REST API (django-ninja). Each capability adds a router under /api/v1/."""

from ninja import NinjaAPI

from samskab.webcasts.api import router as webcasts_router

api = NinjaAPI(
    title="Samskab API",
    version="1",
    # The API documents itself in English, the language of the OpenAPI ecosystem.
    description="Open data from the municipality's meetings, dialogue and participation.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


# Each capability's router, under /api/v1/.
api.add_router("/v1/", webcasts_router)


@api.get("/v1/site", tags=["site"], summary="The municipality this installation serves")
def site_info(request):
    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    return {"name": site.name, "website": site.website_url, "languages": ["da", "en"]}
