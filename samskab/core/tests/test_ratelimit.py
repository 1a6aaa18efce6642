import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from samskab.core.ratelimit import hit, parse_rate, ratelimit
from samskab.core.viewer import Viewer


def make_request(*, address="10.0.0.1", user=None, viewer_token=None, method="post"):
    request = getattr(RequestFactory(), method)("/", REMOTE_ADDR=address)
    request.user = user or AnonymousUser()
    request.client_ip = address
    if viewer_token:
        request.COOKIES["samskab_viewer"] = "x"
        viewer = Viewer(request)
        viewer._token = viewer_token
        request.viewer = viewer
    return request


def test_rates_are_parsed():
    assert parse_rate("10/m") == (10, 60)
    assert parse_rate("100/5m") == (100, 300)
    assert parse_rate("3/h") == (3, 3600)


def test_it_refuses_after_the_limit():
    request = make_request()
    assert [hit(request, "comment", "3/m") for _ in range(4)] == [True, True, True, False]


def test_viewers_behind_one_address_are_counted_apart():
    # A town hall: many viewers share one public address, each with their own token.
    first = make_request(address="192.0.2.7", viewer_token="first")
    second = make_request(address="192.0.2.7", viewer_token="second")
    assert hit(first, "vote", "1/m")
    assert not hit(first, "vote", "1/m")
    assert hit(second, "vote", "1/m")


def test_the_window_resets(time_machine):
    time_machine.move_to("2026-11-26 12:00:00+00:00", tick=False)
    request = make_request()
    assert hit(request, "g", "1/m")
    assert not hit(request, "g", "1/m")
    time_machine.shift(61)
    assert hit(request, "g", "1/m")


@pytest.mark.django_db
def test_the_decorator_answers_429_in_the_visitors_language():
    @ratelimit("test", "1/m")
    def view(request):
        return HttpResponse("ok")

    request = make_request()
    request.LANGUAGE_CODE = "da"
    assert view(request).status_code == 200
    refused = view(request)
    assert refused.status_code == 429


def test_reads_are_not_limited():
    @ratelimit("test-get", "1/m")
    def view(request):
        return HttpResponse("ok")

    request = make_request(method="get")
    assert [view(request).status_code for _ in range(3)] == [200, 200, 200]
