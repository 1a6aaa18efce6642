"""Request-wide middleware: the client's address and the anonymous viewer token."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from samskab.core.clientaddress import client_ip
from samskab.core.viewer import Viewer, set_token


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
        return self.get_response(request)


class ViewerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        viewer = Viewer(request)
        request.viewer = viewer  # type: ignore[attr-defined]
        response = self.get_response(request)
        if viewer.token_is_new:
            set_token(response, viewer.token)
        return response
