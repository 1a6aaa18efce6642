"""Rate limits for every write a visitor can make.

Keyed by account first, then by the viewer token, and only last by address, so that a
town hall behind one public address is not locked out as one person. Counters live in
the cache (Redis in production, so all processes share them).

    @ratelimit("comment", "10/m")
    def post_comment(request): ...

    if not hit(request, "vote", "30/h"): refuse...
"""

import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' -> (10, 60); '100/5m' -> (100, 300)."""
    count, _sep, period = rate.partition("/")
    multiplier = int(period[:-1] or 1)
    return int(count), multiplier * PERIODS[period[-1]]


def request_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.has_token:
        return f"viewer:{viewer.key}"
    address = getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR", "")
    return "ip:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def hit(request: HttpRequest, group: str, rate: str) -> bool:
    """Count one attempt; True while the limit is not exceeded."""
    if not settings.RATELIMIT_ENABLED:
        return True
    return hit_key(group, request_key(request), rate)


def hit_key(group: str, who: str, rate: str) -> bool:
    """`hit` for a caller that has no request (the fast vote path): `who` as request_key
    would give it, e.g. "viewer:<key>"."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"rl:{group}:{who}:{window}"
    # add() creates the counter atomically; incr() is atomic in Redis and locmem.
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count <= limit


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "core/rate_limited.html",
        {"message": _("You have done this too many times in a short while. Try again later.")},
        status=429,
    )
    return response


def ratelimit(group: str, rate: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in methods and not hit(request, group, rate):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
