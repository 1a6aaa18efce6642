"""The optional tiled map: on when the site settings name a tile server (core.SiteSettings
map_tile_url). Pages that draw it mark the request, and TileSourceMiddleware then lets the
browser fetch pictures from that server (CSP img-src) on that page only."""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from samskab.core.models import SiteSettings

LEAFLET = "vendor/leaflet-1.9.4"


def tile_source() -> tuple[str, str] | None:
    """(address template, attribution) when the tiled map is on, else None."""
    site = SiteSettings.current()
    url = (site.map_tile_url or "").strip()
    return (url, site.map_tile_attribution) if url else None


def tile_origin(url: str) -> str:
    """The CSP source for a tile address: its scheme and host, {s} as any subdomain."""
    parts = urlsplit(url.replace("{s}", "s"))
    host = parts.netloc
    if url.startswith("https://{s}."):
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def mark_request(request: HttpRequest | None, url: str) -> None:
    if request is not None:
        request.places_tile_origin = tile_origin(url)  # type: ignore[attr-defined]


class TileSourceMiddleware:
    """Listed after csp.middleware.CSPMiddleware, so its answer is read by that one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origin = getattr(request, "places_tile_origin", None)
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["img-src"] = [*update.get("img-src", []), origin]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
