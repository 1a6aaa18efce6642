"""Redis addresses for the cache and the live broker: one server, or a primary that Redis
Sentinel names and moves when it fails over.

    redis://host:6379/2                        one server (rediss:// for TLS)
    redis+sentinel://host1:26379,host2:26379/mymaster/2
    redis+sentinel://:password@host1:26379,host2:26379/mymaster/2?sentinel_password=...

In the Sentinel form the hosts are the Sentinels (port 26379 when none is given), the first
path segment is the service name Sentinel monitors (its `sentinel monitor <name> ...`), and
the second the database number (0 when none is given). A user and password before the `@`
are the Redis servers' own; `sentinel_password` is the Sentinels' (`requirepass` in
sentinel.conf), when they have one. TLS through Sentinel is not offered: use it on a private
network, or a single `rediss://` address.

Every connection asks a Sentinel where the primary is when it connects, and a connection to a
primary that was demoted is dropped and made again, so a failover costs the requests that were
under way (they see a connection error) and nothing after.

This module sits outside the apps' layers: core (the cache, /readyz) and live (the broker)
both read these addresses.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel

SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379


@dataclass(frozen=True)
class SentinelAddress:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int
    username: str | None
    password: str | None
    sentinel_password: str | None


def is_sentinel(url: str) -> bool:
    return urlsplit(url).scheme == SENTINEL_SCHEME


def parse_sentinel(url: str) -> SentinelAddress:
    """The parts of a redis+sentinel:// address; ValueError naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ValueError(f"a Sentinel address starts with {SENTINEL_SCHEME}://")
    userinfo, _at, hosts = parts.netloc.rpartition("@")
    username, _colon, password = userinfo.partition(":")
    sentinels = tuple(_host_port(item) for item in hosts.split(",") if item)
    if not sentinels:
        raise ValueError("a Sentinel address names at least one Sentinel (host:26379)")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not segments or len(segments) > 2:
        raise ValueError(
            "a Sentinel address is redis+sentinel://host:port[,host:port]/service[/db]"
        )
    try:
        db = int(segments[1]) if len(segments) == 2 else 0
    except ValueError:
        raise ValueError(f"the database number must be a number, not {segments[1]!r}") from None
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - {"sentinel_password"})
    if unknown:
        raise ValueError(f"a Sentinel address takes only sentinel_password=, not {unknown}")
    return SentinelAddress(
        sentinels=sentinels,
        service=segments[0],
        db=db,
        username=unquote(username) or None,
        password=unquote(password) or None,
        sentinel_password=query.get("sentinel_password", [None])[0],
    )


def _host_port(item: str) -> tuple[str, int]:
    if item.startswith("["):  # [::1]:26379
        host, _bracket, rest = item[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _colon, port = item.partition(":")
    try:
        return host, int(port) if port else SENTINEL_PORT
    except ValueError:
        raise ValueError(f"{item!r} is not host:port") from None


def _server_options(address: SentinelAddress) -> dict:
    return {"db": address.db, "username": address.username, "password": address.password}


def _sentinel_options(address: SentinelAddress) -> dict:
    # Sentinels answer at once or not at all: a dead one must not hold up the next.
    return {
        "password": address.sentinel_password,
        "socket_timeout": 1,
        "socket_connect_timeout": 1,
    }


# How often a pool asks the Sentinels where the primary is, besides when it connects. A
# planned failover (SENTINEL FAILOVER) promotes the replica while the old primary still takes
# writes until Sentinel turns it into a replica some seconds later, and whatever was written
# to it meanwhile is then dropped; a pooled connection must not go on writing there.
RECHECK_SECONDS = 1.0
logger = logging.getLogger(__name__)


class Recheck:
    """Asks the Sentinels at most every `recheck_seconds` before lending a connection; when
    the primary moved, the pool's idle connections are closed (redis-py does that in
    get_master_address), so the one lent connects to the new primary."""

    recheck_seconds = RECHECK_SECONDS
    _checked_at = float("-inf")

    def _recheck_due(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at < self.recheck_seconds:
            return False
        self._checked_at = now
        return True

    def recheck_soon(self) -> None:
        self._checked_at = float("-inf")


class SentinelPool(Recheck, redis.sentinel.SentinelConnectionPool):
    """The primary's connections through Sentinel (Django's cache: CachePool)."""

    def get_connection(self, *args, **kwargs):
        if self._recheck_due():
            try:
                self.get_master_address()
            except redis.sentinel.MasterNotFoundError as error:
                # The Sentinels are away: go on with the primary known last.
                logger.warning("redis: no Sentinel answered (%s)", error)
        return super().get_connection(*args, **kwargs)


class SentinelBlockingConnectionPool(SentinelPool, redis.BlockingConnectionPool):
    """The same, waiting for a free connection when all are in use (as
    BlockingConnectionPool does) instead of failing."""


class AsyncSentinelBlockingConnectionPool(
    Recheck, redis.asyncio.sentinel.SentinelConnectionPool, redis.asyncio.BlockingConnectionPool
):
    """The same for redis.asyncio."""

    async def get_connection(self, *args, **kwargs):
        if self._recheck_due():
            try:
                await self.get_master_address()
            except redis.asyncio.sentinel.MasterNotFoundError as error:
                logger.warning("redis: no Sentinel answered (%s)", error)
        return await super().get_connection(*args, **kwargs)


def blocking_pool(url: str, **options) -> redis.BlockingConnectionPool:
    """A connection pool for `url`, one server or the primary Sentinel names."""
    if not is_sentinel(url):
        return redis.BlockingConnectionPool.from_url(url, **options)
    address = parse_sentinel(url)
    manager = redis.sentinel.Sentinel(
        list(address.sentinels), sentinel_kwargs=_sentinel_options(address)
    )
    return SentinelBlockingConnectionPool(
        address.service, manager, **_server_options(address), **options
    )


def async_blocking_pool(url: str, **options) -> redis.asyncio.BlockingConnectionPool:
    """The same for redis.asyncio (bound to the event loop that first uses it)."""
    if not is_sentinel(url):
        return redis.asyncio.BlockingConnectionPool.from_url(url, **options)
    address = parse_sentinel(url)
    manager = redis.asyncio.sentinel.Sentinel(
        list(address.sentinels), sentinel_kwargs=_sentinel_options(address)
    )
    return AsyncSentinelBlockingConnectionPool(
        address.service, manager, **_server_options(address), **options
    )


async def aprimary(url: str) -> tuple[str, int]:
    """Where the primary is now: (host, port), asked of the Sentinels (MasterNotFoundError
    when none of them knows a healthy one)."""
    address = parse_sentinel(url)
    manager = redis.asyncio.sentinel.Sentinel(
        list(address.sentinels), sentinel_kwargs=_sentinel_options(address)
    )
    try:
        host, port = await manager.discover_master(address.service)
    finally:
        for sentinel in manager.sentinels:
            await sentinel.aclose()
    return host, int(port)


def ping(url: str, timeout: float = 2.0) -> None:
    """Raise unless the Redis at `url` (one server, or the primary through Sentinel) answers
    a PING within `timeout` seconds (/readyz)."""
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if not is_sentinel(url):
        single = redis.Redis.from_url(url, **options)
        try:
            single.ping()
        finally:
            single.close()
        return
    address = parse_sentinel(url)
    manager = redis.sentinel.Sentinel(
        list(address.sentinels), sentinel_kwargs=_sentinel_options(address)
    )
    try:
        primary = manager.master_for(address.service, **_server_options(address), **options)
        try:
            primary.ping()
        finally:
            primary.close()
            primary.connection_pool.disconnect()
    finally:
        manager.close()


class CachePool:
    """Django's RedisCache `pool_class` for a Sentinel address (envvars.cache_config): Django
    calls from_url with the address and its OPTIONS."""

    @staticmethod
    def from_url(url: str, **options) -> redis.ConnectionPool:
        address = parse_sentinel(url)
        manager = redis.sentinel.Sentinel(
            list(address.sentinels), sentinel_kwargs=_sentinel_options(address)
        )
        return SentinelPool(address.service, manager, **_server_options(address), **options)
