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
    """Each capability's router, as its AppConfig.ready registered it (core.apis)."""
    from samskab.core import apis

    for mount in apis.mounts():
        api.add_router(mount.prefix, mount.router)


_add_routers()
