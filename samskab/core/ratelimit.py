"""Rate limits for every write a visitor can make.

Every attempt is counted twice, and refused if either count is over its limit:
- strictly per visitor: the account, else the viewer cookie the browser sent, else (no
  cookie yet, or a cookie made by this very request) the address;
- generously per address (the address pseudonym, an IPv6 /64 as one), so that fresh
  cookies from one script do not start from nothing. Requests with and without an account
  are counted apart there, so anonymous traffic cannot use up what signed-in residents in
  the same building need; a town hall behind one public address is not locked out as one
  person.

The windows slide: each period is counted in ten slices, and an attempt is refused while the
slices the last `period` seconds touch hold the limit, so the limit holds for any period-
long span (a fixed window let a client send twice the limit across its boundary). An attempt
refused is not counted (a refused visitor is not kept out for longer by trying again, and a
building's address count holds only what was let through). Counters live in the cache (Redis
in production, so all processes share them); the clock is `limiter.clock`, which tests
replace.

    @ratelimit("comment", "10/m")
    def post_comment(request): ...

    if not hit(request, "poll-vote", "20/m", per_address="300/h"): refuse...
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache as default_cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from samskab.core.clientaddress import request_address_pseudonym

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# Where a caller names no address ceiling: this many visitors' worth of the strict limit.
ADDRESS_FACTOR = 10
# Requests with an account get this many times the address ceiling of those without one: an
# account is not free to make, and a hall of signed-in residents voting must not be refused.
ACCOUNT_ADDRESS_FACTOR = 5


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'10/m' -> Rate(10, 60); '100/5m' -> Rate(100, 300)."""
        count, _sep, period = text.partition("/")
        multiplier = int(period[:-1] or 1)
        return cls(int(count), multiplier * PERIODS[period[-1]])

    def times(self, factor: int) -> Rate:
        return Rate(self.limit * factor, self.period)


def parse_rate(rate: str) -> tuple[int, int]:
    parsed = Rate.parse(rate)
    return parsed.limit, parsed.period


# Each period is counted in this many slices; a limit holds for any `period` seconds.
SLICES = 10


def window_count(slices: Sequence[int]) -> int:
    """The attempts that may lie within the last period: every slice it touches, the oldest
    one in full. Counting the oldest slice whole (not weighted by how much of it is still
    inside) is what makes the limit hold for ANY period-long span: a weighted estimate lets
    a client that bursts at the end of a window send nearly twice the limit in the next
    period. The cost: a client that reached the limit waits up to a slice longer."""
    return sum(slices)


class Limiter:
    """Sliding-window counters in a cache, read against an injectable clock."""

    def __init__(self, *, clock: Callable[[], float] = time.time, cache=None):
        self.clock = clock
        self._cache = cache

    @property
    def cache(self):
        return self._cache if self._cache is not None else default_cache

    def hit(self, buckets: Sequence[tuple[str, Rate]]) -> bool:
        """Count one attempt in every bucket, or in none: True if all were under their limit."""
        now = self.clock()
        counted: list[str] = []
        for name, rate in buckets:
            key = self._count(name, rate, now)
            if key is None:
                for done in counted:
                    self._uncount(done)
                return False
            counted.append(key)
        return True

    def _count(self, name: str, rate: Rate, now: float) -> str | None:
        size = rate.period / SLICES
        current = int(now // size)
        prefix = f"rl:{name}:{rate.period}:"
        key = f"{prefix}{current}"
        cache = self.cache
        # A slice is read while it is within the last SLICES + 1; add() creates the counter
        # atomically, incr() is atomic in Redis and locmem.
        timeout = int(rate.period + 2 * size) + 1
        cache.add(key, 0, timeout=timeout)
        try:
            mine = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            mine = 1
        older = cache.get_many([f"{prefix}{current - n}" for n in range(1, SLICES + 1)])
        if window_count([mine, *older.values()]) > rate.limit:
            self._uncount(key)
            return None
        return key

    def _uncount(self, key: str) -> None:
        with contextlib.suppress(ValueError):  # gone already: nothing to take back
            self.cache.decr(key)


limiter = Limiter()


def address_rate(group: str, per_address: str | None, rate: Rate) -> Rate:
    """The address ceiling of a group: the operator's (RATELIMIT_ADDRESS_RATES), else the
    caller's, else ADDRESS_FACTOR visitors' worth."""
    configured = settings.RATELIMIT_ADDRESS_RATES.get(group) or per_address
    return Rate.parse(configured) if configured else rate.times(ADDRESS_FACTOR)


def request_key(request: HttpRequest) -> str:
    """The strict bucket's owner: account, else the viewer cookie the browser sent, else the
    address (a cookie this request made is no one yet: it must not open a new bucket)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.from_cookie:
        return f"viewer:{viewer.key}"
    return "ip:" + request_address_pseudonym(request)


def hit(request: HttpRequest, group: str, rate: str, *, per_address: str | None = None) -> bool:
    """Count one attempt; True while neither the visitor's nor the address's limit is reached."""
    user = getattr(request, "user", None)
    return hit_key(
        group,
        request_key(request),
        rate,
        address=request_address_pseudonym(request),
        signed_in=bool(user is not None and user.is_authenticated),
        per_address=per_address,
    )


def hit_key(
    group: str,
    who: str,
    rate: str,
    *,
    address: str,
    signed_in: bool = False,
    per_address: str | None = None,
) -> bool:
    """`hit` for a caller that has no request (the fast vote path): `who` as request_key
    would give it ("viewer:<key>"), `address` the address pseudonym."""
    if not settings.RATELIMIT_ENABLED:
        return True
    strict = Rate.parse(rate)
    ceiling = address_rate(group, per_address, strict)
    pool = "user" if signed_in else "anon"
    if signed_in:
        ceiling = ceiling.times(ACCOUNT_ADDRESS_FACTOR)
    return limiter.hit([(f"{group}:{who}", strict), (f"{group}@{pool}:{address}", ceiling)])


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "core/rate_limited.html",
        {"message": _("You have done this too many times in a short while. Try again later.")},
        status=429,
    )
    return response


def ratelimit(
    group: str, rate: str, *, per_address: str | None = None, methods: tuple[str, ...] = ("POST",)
) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in methods and not hit(request, group, rate, per_address=per_address):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
